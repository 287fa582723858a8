// Shared test helpers: parameters with reproducible values, and the gradient-check assertion.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <stdexcept>
#include <vector>

#include "attn/attn.hpp"
#include "attn/nn/module.hpp"
#include "attn/train/loop.hpp"

namespace attn::test {

// Gradient checks run in float64 with h = 1e-6: truncation error ~h^2 = 1e-12 and rounding error
// ~1e-16 * |L| / h ~ 1e-10 for the O(1) projected losses used here, so a correct backward lands
// near 1e-8 at worst; 1e-6 leaves two orders of margin and still catches any real mistake (a wrong
// term is off by O(1)).
constexpr double gradient_tolerance = 1e-6;

/// Options for the library's training step (attn::Trainer) as the tests use it: Adam at a
/// constant learning rate, no gradient clipping.
inline TrainOptions plain_adam(double learning_rate) {
    TrainOptions options;
    options.clip = 0;
    options.learning_rate = std::make_shared<ConstantSchedule>(real(learning_rate));
    return options;
}

/// A parameter with uniform values in [lo, hi) drawn from a fixed seed.
Tensor param(const Shape& shape, std::uint64_t seed, real lo = -1, real hi = 1);
/// A parameter with the given values.
Tensor param_of(const Shape& shape, std::vector<real> values);

/// Runs check_gradients, asserts max_error <= tolerance, and remembers the worst error seen
/// (each test executable prints it when it exits).
void check_grads(const std::function<Tensor()>& f, const std::vector<Tensor>& inputs,
                 double tolerance = gradient_tolerance);

/// sum(y * R) for a fixed random R: a scalar that depends on every element of y differently.
Tensor probe(const Tensor& y, std::uint64_t seed = 99);

/// The parameters of a module as check_gradients inputs.
std::vector<Tensor> tensors_of(Module& module);
/// One backward of `loss`; asserts that every parameter of `module` received a nonzero gradient,
/// naming any that did not. Clears the gradients afterwards.
void check_every_parameter_learns(Module& module, const std::function<Tensor()>& loss);

/// Element-by-element comparison with an absolute tolerance.
void check_values(const Tensor& t, const std::vector<real>& expected, double tolerance = 1e-12);

}  // namespace attn::test
