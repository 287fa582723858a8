// attn/random.hpp — the random numbers attn uses, identical on every platform for a seed.
//
// std::normal_distribution and xt::random differ between standard libraries, so the same seed
// would give different models on different machines. Rng draws raw 64-bit words from
// std::mt19937_64 (fully specified by the standard) and applies its own transforms.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "attn/tensor.hpp"

namespace attn {

class Rng {
public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}

    /// Uniform in [0, 1), 53 random bits (inline: dropout draws one per element).
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    /// Uniform in [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Standard normal (Box-Muller on two uniforms).
    double normal();
    /// Uniform integer in [0, n).
    std::uint64_t below(std::uint64_t n);
    /// A raw 64-bit word.
    std::uint64_t next() { return engine_(); }

    /// The full generator state as text (the standard's mt19937_64 serialisation), for checkpoints.
    std::string state() const;
    /// Restores a state() string; throws std::invalid_argument if it is not one.
    void set_state(const std::string& state);

private:
    std::mt19937_64 engine_;
};

/// A constant tensor of independent uniform draws in [lo, hi).
Tensor uniform(const Shape& shape, real lo, real hi, Rng& rng);
/// A constant tensor of independent normal draws.
Tensor normal(const Shape& shape, real mean, real stddev, Rng& rng);

}  // namespace attn
