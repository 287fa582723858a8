// Module bookkeeping: named parameter lists, zero_grad, the training flag.
#include "attn/nn/module.hpp"

namespace attn {

void Lister::parameter(const std::string& name, Tensor& tensor) {
    parameters.push_back({prefix_ + name, &tensor});
}

void Lister::child(const std::string& name, Module& module) {
    descendants.push_back(&module);
    const std::string outer = prefix_;
    prefix_ += name + ".";
    module.list(*this);
    prefix_ = outer;
}

std::vector<NamedParameter> Module::parameters() {
    Lister lister;
    list(lister);
    return lister.parameters;
}

std::size_t Module::parameter_count() {
    std::size_t count = 0;
    for (const NamedParameter& p : parameters()) count += p.tensor->size();
    return count;
}

void Module::zero_grad() {
    for (const NamedParameter& p : parameters()) p.tensor->zero_grad();
}

void Module::train(bool on) {
    Lister lister;
    list(lister);
    training_ = on;
    for (Module* descendant : lister.descendants) descendant->training_ = on;
}

}  // namespace attn
