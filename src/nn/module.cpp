// Module bookkeeping: named parameter and buffer lists, zero_grad, the training flag.
#include "attn/nn/module.hpp"

namespace attn {

void Lister::parameter(const std::string& name, Tensor& tensor) {
    parameters.push_back({prefix_ + name, &tensor});
}

void Lister::buffer(const std::string& name, Tensor& tensor) {
    buffers.push_back({prefix_ + name, &tensor, true});
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

std::vector<NamedParameter> Module::buffers() {
    Lister lister;
    list(lister);
    return lister.buffers;
}

std::vector<NamedParameter> Module::state() {
    Lister lister;
    list(lister);
    std::vector<NamedParameter> all = lister.parameters;
    all.insert(all.end(), lister.buffers.begin(), lister.buffers.end());
    return all;
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
