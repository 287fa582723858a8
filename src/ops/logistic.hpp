// The logistic function over an array, shared by the sigmoid op and the fused recurrent cells.
#pragma once

#include "attn/array.hpp"

namespace attn {

/// 1 / (1 + e^-x), elementwise, vectorised (xsimd's exp): a recurrent model evaluates it on every
/// gate of every step, and scalar expf was a tenth of a GRU training step. No branch is needed
/// for large |x|: e^-x overflowing to inf gives 1 / inf = 0, the right limit, and e^-x -> 0 gives 1.
inline Array logistic(const Array& x) { return Array(real(1) / (real(1) + xt::exp(-x))); }

}  // namespace attn
