// Platform-independent random numbers (see attn/random.hpp for why not std::normal_distribution).
#include "attn/random.hpp"

#include <cmath>
#include <sstream>

#include "attn/memory.hpp"
#include "attn/record.hpp"

namespace attn {

double Rng::normal() {
    // Box-Muller: u1 in (0, 1] so the log is finite.
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

std::uint64_t Rng::below(std::uint64_t n) {
    if (n == 0) fail("Rng::below", "n must be positive");
    // Rejection sampling: unbiased for any n.
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t r;
    do r = engine_(); while (r >= limit);
    return r % n;
}

std::string Rng::state() const {
    std::ostringstream out;
    out << engine_;
    return out.str();
}

void Rng::set_state(const std::string& state) {
    std::istringstream in(state);
    std::mt19937_64 engine;
    in >> engine;
    if (in.fail()) throw std::invalid_argument("Rng::set_state: not a generator state");
    engine_ = engine;
}

Tensor uniform(const Shape& shape, real lo, real hi, Rng& rng) {
    require_memory(shape, 4);  // random initialisation: a parameter to be (value, gradient, two moments)
    Array a = xt::empty<real>(shape);
    for (real& v : a) v = static_cast<real>(rng.uniform(lo, hi));
    return make_tensor(std::move(a));
}

Tensor normal(const Shape& shape, real mean, real stddev, Rng& rng) {
    require_memory(shape, 4);
    Array a = xt::empty<real>(shape);
    for (real& v : a) v = static_cast<real>(mean + stddev * rng.normal());
    return make_tensor(std::move(a));
}

}  // namespace attn
