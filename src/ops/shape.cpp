// Shape ops: reshape, permute/transpose, concat/stack, slice. Their backward moves each gradient
// element back to where its value came from.
#include <cstring>
#include <numeric>

#include "attn/ops.hpp"
#include "attn/record.hpp"

namespace attn {

Tensor reshape(const Tensor& x, const Shape& shape) {
    const Shape from = x.shape();
    if (element_count(from) != element_count(shape)) {
        fail("reshape", "cannot reshape " + to_string(from) + " (" + std::to_string(element_count(from)) +
                            " elements) to " + to_string(shape) + " (" +
                            std::to_string(element_count(shape)) + " elements)");
    }
    Array y = xt::empty<real>(shape);
    std::copy(value(x).begin(), value(x).end(), y.begin());
    return record("reshape", std::move(y), {x}, [from](const Backward& g) -> Grads {
        Array dx = g.take_dout();  // row-major: the same numbers, only the shape changes
        dx.reshape(from);
        return {std::move(dx)};
    });
}

/// a with its axes reordered: y[i_0, ..., i_n] = a[i at the positions axes says], contiguous.
/// When the last axis stays last (split and merge of attention heads), whole rows are contiguous
/// in both arrays and are copied with memcpy; this is 5-10x faster than xtensor's element-wise
/// strided assignment at B5's shapes (bench/). Otherwise xtensor does it. Tested against
/// xt::transpose in tests/test_ops_shape.cpp.
Array permuted(const Array& a, const std::vector<std::size_t>& axes) {
    const std::size_t n = axes.size();
    if (n < 2 || axes.back() != n - 1 || a.size() == 0) return Array(xt::transpose(a, axes));
    const Shape in_shape = shape_of(a);
    Shape out_shape(n);
    for (std::size_t i = 0; i < n; ++i) out_shape[i] = in_shape[axes[i]];
    std::vector<std::size_t> in_stride(n, 1);
    for (std::size_t i = n - 1; i-- > 0;) in_stride[i] = in_stride[i + 1] * in_shape[i + 1];
    Array y = xt::empty<real>(out_shape);
    const std::size_t row = in_shape[n - 1], rows = a.size() / row;
    std::vector<std::size_t> index(n - 1, 0);  // the output's leading indices, an odometer
    std::size_t from = 0;                      // the input offset of that row
    for (std::size_t r = 0; r < rows; ++r) {
        std::memcpy(y.data() + r * row, a.data() + from, row * sizeof(real));
        for (std::size_t i = n - 1; i-- > 0;) {  // next row: advance the last leading index first
            from += in_stride[axes[i]];
            if (++index[i] < out_shape[i]) break;
            from -= index[i] * in_stride[axes[i]];
            index[i] = 0;
        }
    }
    return y;
}

Tensor permute(const Tensor& x, const std::vector<std::size_t>& axes) {
    const Shape shape = x.shape();
    std::vector<std::size_t> sorted = axes;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::size_t> identity(shape.size());
    std::iota(identity.begin(), identity.end(), 0);
    if (sorted != identity) {
        fail("permute", "axes " + to_string(axes) + " are not a permutation of the " +
                            std::to_string(shape.size()) + " axes of " + to_string(shape));
    }
    std::vector<std::size_t> inverse(axes.size());
    for (std::size_t i = 0; i < axes.size(); ++i) inverse[axes[i]] = i;
    Array y = permuted(value(x), axes);
    return record("permute", std::move(y), {x}, [inverse](const Backward& g) -> Grads {
        return {permuted(g.dout, inverse)};
    });
}

Tensor transpose(const Tensor& x, int axis0, int axis1) {
    const Shape shape = x.shape();
    std::vector<std::size_t> axes(shape.size());
    std::iota(axes.begin(), axes.end(), 0);
    std::swap(axes[normalize_axis("transpose", axis0, shape)], axes[normalize_axis("transpose", axis1, shape)]);
    return permute(x, axes);
}

Tensor concat(const std::vector<Tensor>& xs, int axis) {
    if (xs.empty()) fail("concat", "needs at least one tensor");
    const Shape first = xs[0].shape();
    const std::size_t ax = normalize_axis("concat", axis, first);
    Shape out_shape = first;
    out_shape[ax] = 0;
    std::vector<std::size_t> extents;  // each input's extent along the axis
    for (std::size_t t = 0; t < xs.size(); ++t) {
        Shape s = xs[t].shape();
        Shape s_without = s, first_without = first;
        bool same_rank = s.size() == first.size();
        if (same_rank) s_without[ax] = first_without[ax] = 0;
        if (!same_rank || s_without != first_without) {
            fail("concat", "tensor " + std::to_string(t) + " has shape " + to_string(s) +
                               ", which does not match tensor 0's shape " + to_string(first) +
                               " outside axis " + std::to_string(ax));
        }
        extents.push_back(s[ax]);
        out_shape[ax] += s[ax];
    }
    const AxisLayout l = axis_layout(out_shape, ax);
    Array y = xt::empty<real>(out_shape);
    std::size_t offset = 0;  // where along the axis the current input starts
    for (std::size_t t = 0; t < xs.size(); ++t) {
        const real* in = value(xs[t]).data();
        const std::size_t run = extents[t] * l.inner;  // contiguous elements per outer index
        for (std::size_t o = 0; o < l.outer; ++o) {
            std::copy(in + o * run, in + (o + 1) * run, y.data() + (o * l.n + offset) * l.inner);
        }
        offset += extents[t];
    }
    return record("concat", std::move(y), xs, [l, extents](const Backward& g) -> Grads {
        Grads d(extents.size());
        std::size_t start = 0;
        for (std::size_t t = 0; t < extents.size(); ++t) {
            if (g.needs(t)) {
                Array dx = xt::empty<real>(g.in(t).shape());
                const std::size_t run = extents[t] * l.inner;
                for (std::size_t o = 0; o < l.outer; ++o) {
                    const real* from = g.dout.data() + (o * l.n + start) * l.inner;
                    std::copy(from, from + run, dx.data() + o * run);
                }
                d[t] = std::move(dx);
            }
            start += extents[t];
        }
        return d;
    });
}

Tensor stack(const std::vector<Tensor>& xs, int axis) {
    if (xs.empty()) fail("stack", "needs at least one tensor");
    const Shape shape = xs[0].shape();
    const int dims = static_cast<int>(shape.size()) + 1;  // the result has one more axis
    const int normalized = axis < 0 ? axis + dims : axis;
    if (normalized < 0 || normalized >= dims) {
        fail("stack", "axis " + std::to_string(axis) + " is out of range for stacking tensors of shape " +
                          to_string(shape));
    }
    Shape with_axis = shape;
    with_axis.insert(with_axis.begin() + normalized, 1);
    std::vector<Tensor> parts;
    for (std::size_t t = 0; t < xs.size(); ++t) {
        if (xs[t].shape() != shape) {
            fail("stack", "tensor " + std::to_string(t) + " has shape " + to_string(xs[t].shape()) +
                              ", tensor 0 has " + to_string(shape));
        }
        parts.push_back(reshape(xs[t], with_axis));
    }
    return concat(parts, normalized);
}

Tensor slice(const Tensor& x, int axis, std::size_t begin, std::size_t end) {
    const Shape shape = x.shape();
    const std::size_t ax = normalize_axis("slice", axis, shape);
    if (begin > end || end > shape[ax]) {
        fail("slice", "range [" + std::to_string(begin) + ", " + std::to_string(end) +
                          ") is not inside axis " + std::to_string(ax) + " of shape " + to_string(shape));
    }
    const AxisLayout l = axis_layout(shape, ax);
    Shape out_shape = shape;
    out_shape[ax] = end - begin;
    const std::size_t run = (end - begin) * l.inner;
    Array y = xt::empty<real>(out_shape);
    for (std::size_t o = 0; o < l.outer; ++o) {
        const real* from = value(x).data() + (o * l.n + begin) * l.inner;
        std::copy(from, from + run, y.data() + o * run);
    }
    return record("slice", std::move(y), {x}, [l, begin, run](const Backward& g) -> Grads {
        // dx is dy inside the range and 0 elsewhere: added in place into x's gradient, because a
        // runner slicing one time step at a time from (B, S, .) would otherwise build and sum S
        // full-size arrays per sequence.
        real* dx = g.input_grad(0).data();
        for (std::size_t o = 0; o < l.outer; ++o) {
            const real* from = g.dout.data() + o * run;
            real* to = dx + (o * l.n + begin) * l.inner;
            for (std::size_t i = 0; i < run; ++i) to[i] += from[i];
        }
        return {std::nullopt};
    });
}

}  // namespace attn
