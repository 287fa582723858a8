// Inverted dropout (Srivastava et al. 2014): zero with probability p, scale survivors by 1/(1-p).
#include <cmath>
#include <cstdint>

#include "attn/ops.hpp"
#include "attn/random.hpp"
#include "attn/record.hpp"

namespace attn {

Tensor dropout(const Tensor& x, real p, Rng& rng, bool training) {
    if (!(p >= 0 && p < 1)) fail("dropout", "p must be in [0, 1), got " + std::to_string(p));
    if (!training || p == 0) return x;
    // Element i is dropped when its draw rng.uniform() = k 2^-53 (k: the top 53 bits of a raw word)
    // is below p, that is when k < ceil(p 2^53): the same test and the same stream, in integers.
    const std::uint64_t drop_below = std::uint64_t(std::ceil(double(p) * 0x1.0p53));
    const real keep_scale = real(1) / (real(1) - p);
    const Array& in = value(x);
    Array mask = xt::empty<real>(in.shape());  // 0 or 1/(1-p) per element
    Array y = xt::empty<real>(in.shape());     // x * mask, in the same loop
    const real* xs = in.data();
    real* ms = mask.data();
    real* ys = y.data();
    const std::size_t n = mask.size();
    for (std::size_t i = 0; i < n; ++i) {
        ms[i] = (rng.next() >> 11) < drop_below ? real(0) : keep_scale;
        ys[i] = xs[i] * ms[i];
    }
    return record("dropout", std::move(y), {x}, [mask = std::move(mask)](const Backward& g) mutable -> Grads {
        mask *= g.dout;  // dx = dy * mask, in the mask's own array: backward runs once per node
        return {std::move(mask)};
    });
}

}  // namespace attn
