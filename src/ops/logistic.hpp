// The logistic function on one number, shared by the sigmoid op and the fused recurrent cells so
// that both give the same float results.
#pragma once

#include <cmath>

#include "attn/config.hpp"

namespace attn {

/// 1 / (1 + e^-v), in two branches so that exp never overflows.
inline real logistic(real v) {
    return v >= 0 ? real(1) / (real(1) + std::exp(-v)) : std::exp(v) / (real(1) + std::exp(v));
}

}  // namespace attn
