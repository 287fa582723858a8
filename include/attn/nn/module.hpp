// attn/nn/module.hpp — what every layer has in common: named parameters and a training flag.
//
// A module lists its own parameters and child modules by name, in a fixed order:
//
//     void list(Lister& out) override {
//         out.parameter("W_a", W_a);
//         out.child("attention", attention);   // its parameters become "attention.W_a", ...
//     }
//
// parameters() is computed from that list on demand, so it can never go stale when a member is
// reassigned, and the names ("decoder.attention.W_a") are what checkpoints store.
// Modules are movable but not copyable: a copy would silently share weights (Tensor is a handle).
// There is no universal virtual forward(): each module keeps its real signature and shape comment.
#pragma once

#include <string>
#include <vector>

#include "attn/tensor.hpp"

namespace attn {

class Module;

struct NamedParameter {
    std::string name;  // "decoder.attention.W_a"
    Tensor* tensor;
    bool buffer = false;  // state that is not trained (BatchNorm's running statistics)
};

/// Collects what a module lists (see list() below).
class Lister {
public:
    void parameter(const std::string& name, Tensor& tensor);
    /// State that is saved and restored with the parameters but not trained by the optimiser.
    void buffer(const std::string& name, Tensor& tensor);
    void child(const std::string& name, Module& module);

    std::vector<NamedParameter> parameters;
    std::vector<NamedParameter> buffers;
    std::vector<Module*> descendants;  // every module below, depth first

private:
    std::string prefix_;
};

class Module {
public:
    Module() = default;
    virtual ~Module() = default;
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;
    Module(Module&&) = default;
    Module& operator=(Module&&) = default;

    /// Every parameter of this module and its children, named with dotted paths.
    std::vector<NamedParameter> parameters();
    /// Every buffer (state that is not trained), named the same way.
    std::vector<NamedParameter> buffers();
    /// What a checkpoint saves: the parameters, then the buffers.
    std::vector<NamedParameter> state();
    /// Total number of scalar parameters.
    std::size_t parameter_count();
    /// Forgets every parameter's gradient.
    void zero_grad();

    /// Training mode (dropout active) or evaluation mode, for this module and all its children.
    void train(bool on = true);
    void eval() { train(false); }
    bool training() const { return training_; }

protected:
    /// Lists this module's parameters and children, in a fixed order.
    virtual void list(Lister& out) = 0;

private:
    friend class Lister;
    bool training_ = true;
};

}  // namespace attn
