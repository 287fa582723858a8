// Inverted dropout (Srivastava et al. 2014): zero with probability p, scale survivors by 1/(1-p).
#include "attn/ops.hpp"
#include "attn/random.hpp"
#include "attn/record.hpp"

namespace attn {

Tensor dropout(const Tensor& x, real p, Rng& rng, bool training) {
    if (!(p >= 0 && p < 1)) fail("dropout", "p must be in [0, 1), got " + std::to_string(p));
    if (!training || p == 0) return x;
    Array mask = xt::empty<real>(value(x).shape());  // 0 or 1/(1-p) per element
    const real keep_scale = real(1) / (real(1) - p);
    for (real& m : mask) m = rng.uniform() < p ? real(0) : keep_scale;
    Array y = value(x) * mask;
    return record("dropout", std::move(y), {x}, [mask](const Backward& g) -> Grads {
        return {g.dout * mask};
    });
}

}  // namespace attn
