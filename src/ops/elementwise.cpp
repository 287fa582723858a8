// Elementwise ops: broadcasting arithmetic and the unary functions (math in attn/ops.hpp).
#include <algorithm>
#include <cmath>
#include <optional>

#include "attn/ops.hpp"
#include "attn/record.hpp"
#include "logistic.hpp"

namespace attn {

// ---- broadcasting arithmetic ----------------------------------------------------------------
// Each backward returns gradients in the output's (broadcast) shape; the engine sums them back.

namespace {

/// Whether `small` repeats along the leading axes of `big`: its shape, leading 1s dropped, is big's
/// trailing axes (a scalar; a bias (D) against (B, T, D); a (T, D) table against (B, T, D)).
bool repeats_in(const Array& small, const Array& big) {
    std::size_t skip = 0;
    while (skip < small.dimension() && small.shape()[skip] == 1) ++skip;
    const std::size_t axes = small.dimension() - skip;
    if (small.dimension() > big.dimension()) return false;  // the result would have small's rank
    return std::equal(small.shape().begin() + long(skip), small.shape().end(), big.shape().end() - long(axes));
}

/// y = f(a, b) under broadcasting, for the shapes a layer makes most — one operand a scalar or a
/// block repeated along the other's leading axes — as one flat loop, or nothing when the shapes
/// are equal or broadcast otherwise (then xtensor's assignment does it: linear and vectorised for
/// equal shapes, strided and several times slower than this loop for the repeated ones; B5 spent
/// 4.6% of its step there). One IEEE operation per element either way: the numbers are identical.
template <class F>
std::optional<Array> repeated_block(const Array& a, const Array& b, F f) {
    if (a.shape() == b.shape()) return std::nullopt;
    const bool b_repeats = repeats_in(b, a);
    if (!b_repeats && !repeats_in(a, b)) return std::nullopt;
    const Array& big = b_repeats ? a : b;
    Array y = xt::empty<real>(big.shape());
    const std::size_t n = big.size(), period = b_repeats ? b.size() : a.size();
    const real *pa = a.data(), *pb = b.data();
    real* py = y.data();
    if (period == 1) {  // a scalar: a loop the compiler vectorises
        if (b_repeats) {
            for (std::size_t i = 0; i < n; ++i) py[i] = f(pa[i], pb[0]);
        } else {
            for (std::size_t i = 0; i < n; ++i) py[i] = f(pa[0], pb[i]);
        }
    } else if (period > 0 && b_repeats) {
        for (std::size_t start = 0; start < n; start += period) {
            for (std::size_t k = 0; k < period; ++k) py[start + k] = f(pa[start + k], pb[k]);
        }
    } else if (period > 0) {
        for (std::size_t start = 0; start < n; start += period) {
            for (std::size_t k = 0; k < period; ++k) py[start + k] = f(pa[k], pb[start + k]);
        }
    }
    return y;
}

/// a + b, a - b, a * b, a / b under broadcasting: the repeated-block loop where it applies, else
/// xtensor. The forwards use them, and so do the backwards that multiply dy by a broadcast operand
/// (`scores * scale` in attention: xtensor's broadcast loop took 2% of B5's step there).
Array plus(const Array& a, const Array& b) {
    std::optional<Array> fast = repeated_block(a, b, [](real x, real z) { return x + z; });
    return fast ? std::move(*fast) : Array(a + b);
}
Array minus(const Array& a, const Array& b) {
    std::optional<Array> fast = repeated_block(a, b, [](real x, real z) { return x - z; });
    return fast ? std::move(*fast) : Array(a - b);
}
Array times(const Array& a, const Array& b) {
    std::optional<Array> fast = repeated_block(a, b, [](real x, real z) { return x * z; });
    return fast ? std::move(*fast) : Array(a * b);
}
Array over(const Array& a, const Array& b) {
    std::optional<Array> fast = repeated_block(a, b, [](real x, real z) { return x / z; });
    return fast ? std::move(*fast) : Array(a / b);
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
    broadcast_shapes("add", a.shape(), b.shape());
    Array y = plus(value(a), value(b));
    return record("add", std::move(y), {a, b}, [](const Backward& g) -> Grads {
        // da = dy, db = dy: one copy, and dy itself handed on when nothing else reads it
        Grads d(2);
        if (g.needs(0)) d[0] = g.needs(1) ? Array(g.dout) : g.take_dout();
        if (g.needs(1)) d[1] = g.take_dout();
        return d;
    });
}

Tensor sub(const Tensor& a, const Tensor& b) {
    broadcast_shapes("sub", a.shape(), b.shape());
    Array y = minus(value(a), value(b));
    return record("sub", std::move(y), {a, b}, [](const Backward& g) -> Grads {
        Grads d(2);
        if (g.needs(0)) d[0] = g.dout;
        if (g.needs(1)) d[1] = -g.dout;
        return d;
    });
}

Tensor mul(const Tensor& a, const Tensor& b) {
    broadcast_shapes("mul", a.shape(), b.shape());
    Array y = times(value(a), value(b));
    return record("mul", std::move(y), {a, b}, [](const Backward& g) -> Grads {
        // EXERCISE ch0.mul_backward (3 points): the backward of y = a * b (broadcasting is the engine's job)
        Grads d(2);
        if (g.needs(0)) d[0] = times(g.dout, g.in(1));
        if (g.needs(1)) d[1] = times(g.dout, g.in(0));
        return d;
        // END EXERCISE ch0.mul_backward
    });
}

Tensor div(const Tensor& a, const Tensor& b) {
    broadcast_shapes("div", a.shape(), b.shape());
    Array y = over(value(a), value(b));
    return record("div", std::move(y), {a, b}, [](const Backward& g) -> Grads {
        Grads d(2);
        if (g.needs(0)) d[0] = over(g.dout, g.in(1));
        // forward: y = a / b, so dy/db = -a / b^2 = -y / b
        if (g.needs(1)) d[1] = over(-g.dout * g.out, g.in(1));
        return d;
    });
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, real b) { return add(a, Tensor::scalar(b)); }
Tensor operator+(real a, const Tensor& b) { return add(Tensor::scalar(a), b); }
Tensor operator-(const Tensor& a, real b) { return sub(a, Tensor::scalar(b)); }
Tensor operator-(real a, const Tensor& b) { return sub(Tensor::scalar(a), b); }
Tensor operator*(const Tensor& a, real b) { return mul(a, Tensor::scalar(b)); }
Tensor operator*(real a, const Tensor& b) { return mul(Tensor::scalar(a), b); }
Tensor operator/(const Tensor& a, real b) { return div(a, Tensor::scalar(b)); }
Tensor operator/(real a, const Tensor& b) { return div(Tensor::scalar(a), b); }

// ---- unary functions ------------------------------------------------------------------------

Tensor neg(const Tensor& x) {
    Array y = -value(x);
    return record("neg", std::move(y), {x}, [](const Backward& g) -> Grads { return {-g.dout}; });
}

Tensor exp(const Tensor& x) {
    Array y = xt::exp(value(x));
    return record("exp", std::move(y), {x}, [](const Backward& g) -> Grads {
        return {g.dout * g.out};
    });
}

Tensor log(const Tensor& x) {
    Array y = xt::log(value(x));
    return record("log", std::move(y), {x}, [](const Backward& g) -> Grads {
        return {g.dout / g.in(0)};
    });
}

Tensor sqrt(const Tensor& x) {
    Array y = xt::sqrt(value(x));
    return record("sqrt", std::move(y), {x}, [](const Backward& g) -> Grads {
        return {g.dout / (real(2) * g.out)};
    });
}

Tensor pow(const Tensor& x, real p) {
    Array y = xt::pow(value(x), p);
    return record("pow", std::move(y), {x}, [p](const Backward& g) -> Grads {
        return {g.dout * p * xt::pow(g.in(0), p - 1)};
    });
}

Tensor tanh(const Tensor& x) {
    Array y = xt::tanh(value(x));
    return record("tanh", std::move(y), {x}, [](const Backward& g) -> Grads {
        // EXERCISE ch0.tanh_backward (2 points): the backward of y = tanh(x)
        return {g.dout * (real(1) - g.out * g.out)};
        // END EXERCISE ch0.tanh_backward
    });
}

Tensor sigmoid(const Tensor& x) {
    Array y = logistic(value(x));
    return record("sigmoid", std::move(y), {x}, [](const Backward& g) -> Grads {
        return {g.dout * g.out * (real(1) - g.out)};
    });
}

Tensor relu(const Tensor& x) {
    Array y = xt::maximum(value(x), real(0));
    return record("relu", std::move(y), {x}, [](const Backward& g) -> Grads {
        // forward: y = max(x, 0); dx = dy where x > 0, else 0 (also at x = 0: PyTorch's convention),
        // in dy's own array when nothing else reads it
        Array dx = g.take_dout();
        const real* in = g.in(0).data();
        real* d = dx.data();
        for (std::size_t i = 0, n = dx.size(); i < n; ++i) d[i] = in[i] > real(0) ? d[i] : real(0);
        return {std::move(dx)};
    });
}

Tensor gelu(const Tensor& x) {
    // y = x Phi(x), Phi the standard normal CDF = (1 + erf(x / sqrt 2)) / 2 (Hendrycks & Gimpel
    // 2016, the exact form, as torch.nn.GELU(); BERT's feed-forward uses it).
    const real inv_sqrt2 = real(0.70710678118654752440);
    Array cdf = real(0.5) * (real(1) + xt::erf(value(x) * inv_sqrt2));
    Array y = value(x) * cdf;
    return record("gelu", std::move(y), {x}, [cdf = std::move(cdf)](const Backward& g) -> Grads {
        // dy/dx = Phi(x) + x phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
        const Array& in = g.in(0);
        const real inv_sqrt_2pi = real(0.39894228040143267794);
        return {g.dout * (cdf + in * inv_sqrt_2pi * xt::exp(-(in * in) * real(0.5)))};
    });
}

}  // namespace attn
