// Reductions over one axis, as plain loops over the (outer, n, inner) view of the array:
// element (o, k, i) sits at o*n*inner + k*inner + i. (Faster than xtensor's reducers here; see
// design.md section 10.)
#include <limits>

#include "attn/ops.hpp"
#include "attn/record.hpp"

namespace attn {

namespace {

Shape reduced_shape(const Shape& shape, std::size_t axis, bool keepdims) {
    Shape out = shape;
    if (keepdims) {
        out[axis] = 1;
    } else {
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(axis));
    }
    return out;
}

/// dx[o, k, i] = scale * dy[o, i]: the backward of sum and mean.
Array spread(const Array& dy, const Shape& x_shape, std::size_t axis, real scale) {
    const AxisLayout l = axis_layout(x_shape, axis);
    Array dx = xt::empty<real>(x_shape);
    for (std::size_t o = 0; o < l.outer; ++o)
        for (std::size_t k = 0; k < l.n; ++k)
            for (std::size_t i = 0; i < l.inner; ++i)
                dx.data()[(o * l.n + k) * l.inner + i] = scale * dy.data()[o * l.inner + i];
    return dx;
}

Tensor sum_or_mean(const char* op, const Tensor& x, int axis, bool keepdims, bool average) {
    const Shape shape = x.shape();
    const std::size_t ax = normalize_axis(op, axis, shape);
    const AxisLayout l = axis_layout(shape, ax);
    const real scale = average ? real(1) / static_cast<real>(l.n) : real(1);
    Array y = attn::zeros(reduced_shape(shape, ax, keepdims));
    const real* in = value(x).data();
    for (std::size_t o = 0; o < l.outer; ++o)
        for (std::size_t k = 0; k < l.n; ++k)
            for (std::size_t i = 0; i < l.inner; ++i)
                y.data()[o * l.inner + i] += in[(o * l.n + k) * l.inner + i];
    if (average) y *= scale;
    return record(op, std::move(y), {x}, [shape, ax, scale](const Backward& g) -> Grads {
        return {spread(g.dout, shape, ax, scale)};
    });
}

}  // namespace

Tensor sum(const Tensor& x, int axis, bool keepdims) { return sum_or_mean("sum", x, axis, keepdims, false); }
Tensor mean(const Tensor& x, int axis, bool keepdims) { return sum_or_mean("mean", x, axis, keepdims, true); }

Tensor sum(const Tensor& x) {
    real total = 0;
    for (real v : value(x)) total += v;
    return record("sum", Array(total), {x}, [](const Backward& g) -> Grads {
        Array dx = xt::empty<real>(g.in(0).shape());
        dx.fill(g.dout.data()[0]);  // dL/dx = dL/dy for every element
        return {std::move(dx)};
    });
}

Tensor mean(const Tensor& x) {
    if (x.size() == 0) fail("mean", "the mean of an empty tensor is undefined");
    const real n = static_cast<real>(x.size());
    real total = 0;
    for (real v : value(x)) total += v;
    return record("mean", Array(total / n), {x}, [n](const Backward& g) -> Grads {
        Array dx = xt::empty<real>(g.in(0).shape());
        dx.fill(g.dout.data()[0] / n);
        return {std::move(dx)};
    });
}

Tensor max(const Tensor& x, int axis, bool keepdims) {
    const Shape shape = x.shape();
    const std::size_t ax = normalize_axis("max", axis, shape);
    const AxisLayout l = axis_layout(shape, ax);
    if (l.n == 0) fail("max", "cannot take the max over an empty axis of shape " + to_string(shape));
    Array y = xt::empty<real>(reduced_shape(shape, ax, keepdims));
    std::vector<std::size_t> argmax(l.outer * l.inner);  // first maximum, kept for backward
    const real* in = value(x).data();
    for (std::size_t o = 0; o < l.outer; ++o) {
        for (std::size_t i = 0; i < l.inner; ++i) {
            std::size_t best = 0;
            for (std::size_t k = 1; k < l.n; ++k) {
                if (in[(o * l.n + k) * l.inner + i] > in[(o * l.n + best) * l.inner + i]) best = k;
            }
            argmax[o * l.inner + i] = best;
            y.data()[o * l.inner + i] = in[(o * l.n + best) * l.inner + i];
        }
    }
    return record("max", std::move(y), {x}, [shape, l, argmax = std::move(argmax)](const Backward& g) -> Grads {
        Array dx = attn::zeros(shape);
        for (std::size_t o = 0; o < l.outer; ++o)
            for (std::size_t i = 0; i < l.inner; ++i)
                dx.data()[(o * l.n + argmax[o * l.inner + i]) * l.inner + i] = g.dout.data()[o * l.inner + i];
        return {std::move(dx)};
    });
}

}  // namespace attn
