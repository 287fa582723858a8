// attn/gradcheck.hpp — compare backward against central finite differences.
//
// check_gradients(f, inputs) evaluates L = sum(f() * R) for a fixed random tensor R of f's output
// shape (so one backward pass covers every output element), takes dL/d(input) from backward, and
// for every element x of every input estimates the same derivative numerically:
//
//     dL/dx ~= (L(x + h) - L(x - h)) / (2h)            error O(h^2) + O(eps * |L| / h)
//
// Each element's error is |analytic - numeric| / max(|analytic|, |numeric|, floor): relative for
// ordinary gradients, absolute below `floor` so that a gradient of exactly 0 compares sanely.
//
// Run it in float64 (link attn_f64): with float32's 7 digits the finite difference itself is
// only good to about 1e-3, which hides real bugs. In a float32 build the defaults adapt (larger h)
// and the report says which precision it ran in.
//
// f must be deterministic: draw dropout masks from an Rng created inside f, not outside it.
// The inputs' gradients are restored afterwards; other parameters f uses accumulate one extra
// backward's worth of gradient, so call zero_grad on them before training.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "attn/tensor.hpp"

namespace attn {

struct GradCheckOptions {
    double step = 0;              // h; 0 picks 1e-6 in float64, 1e-2 in float32
    double floor = 1e-3;          // below this magnitude, errors are absolute (see above)
    std::uint64_t seed = 12345;   // seeds the projection R
};

struct GradCheckReport {
    double max_error = 0;         // the largest per-element error (see above)
    std::size_t worst_input = 0;  // which input held it
    Shape worst_index;            // and where in that input
    double analytic = 0;          // backward's value there
    double numeric = 0;           // the finite difference there
    std::size_t checked = 0;      // elements compared
    const char* precision = "";   // "float64" or "float32"

    /// "max error 3.1e-09 at input 1 (2, 0): analytic 0.4213, numeric 0.4213 (36 elements, float64)"
    std::string to_string() const;
};

GradCheckReport check_gradients(const std::function<Tensor()>& f, const std::vector<Tensor>& inputs,
                                const GradCheckOptions& options = {});

}  // namespace attn
