// Indexing and selection: index_select, embedding, where, masked_fill.
#include <cmath>

#include "attn/ops.hpp"
#include "attn/record.hpp"

namespace attn {

namespace {

/// Throws "op: id 70 is out of range for <what> of size 64" for the first bad id.
void check_ids(const char* op, const Ids& ids, std::size_t limit, const std::string& what) {
    for (std::size_t k = 0; k < ids.values.size(); ++k) {
        const int id = ids.values[k];
        if (id < 0 || static_cast<std::size_t>(id) >= limit) {
            fail(op, "id " + std::to_string(id) + " (at position " + std::to_string(k) +
                         ") is out of range for " + what + " of size " + std::to_string(limit));
        }
    }
}

/// y[o, k, i] = x[o, ids[k], i] for x viewed as (outer, n, inner); the gather behind both ops.
Array gather(const Array& x, const AxisLayout& l, const std::vector<int>& ids) {
    const std::size_t m = ids.size();
    Array y = xt::empty<real>(Shape{l.outer * m * l.inner});
    for (std::size_t o = 0; o < l.outer; ++o)
        for (std::size_t k = 0; k < m; ++k) {
            const real* from = x.data() + (o * l.n + static_cast<std::size_t>(ids[k])) * l.inner;
            std::copy(from, from + l.inner, y.data() + (o * m + k) * l.inner);
        }
    return y;
}

/// dx[o, ids[k], i] += dy[o, k, i]: the scatter-add that undoes gather (repeated ids add up),
/// into x's gradient in place (see Backward::input_grad). Rows whose id is `skip` get nothing.
void scatter_add(Array& dx, const Array& dy, const AxisLayout& l, const std::vector<int>& ids, int skip = -1) {
    const std::size_t m = ids.size();
    for (std::size_t o = 0; o < l.outer; ++o)
        for (std::size_t k = 0; k < m; ++k) {
            if (ids[k] == skip) continue;
            const real* from = dy.data() + (o * m + k) * l.inner;
            real* to = dx.data() + (o * l.n + static_cast<std::size_t>(ids[k])) * l.inner;
            for (std::size_t i = 0; i < l.inner; ++i) to[i] += from[i];
        }
}

}  // namespace

Tensor index_select(const Tensor& x, int axis, const Ids& ids) {
    const Shape shape = x.shape();
    const std::size_t ax = normalize_axis("index_select", axis, shape);
    if (ids.shape.size() != 1) fail("index_select", "ids must be 1-D, got shape " + to_string(ids.shape));
    check_ids("index_select", ids, shape[ax], "axis " + std::to_string(ax));
    const AxisLayout l = axis_layout(shape, ax);
    Shape out_shape = shape;
    out_shape[ax] = ids.values.size();
    Array y = gather(value(x), l, ids.values);
    y.reshape(out_shape);
    return record("index_select", std::move(y), {x}, [l, ids](const Backward& g) -> Grads {
        scatter_add(g.input_grad(0), g.dout, l, ids.values);
        return {std::nullopt};
    });
}

Tensor embedding(const Tensor& weight, const Ids& ids, int padding_id) {
    const Shape shape = weight.shape();
    if (shape.size() != 2) fail("embedding", "weight must be (V, D), got " + to_string(shape));
    check_ids("embedding", ids, shape[0], "a vocabulary");
    const AxisLayout rows{1, shape[0], shape[1]};  // gather whole rows
    Shape out_shape = ids.shape;
    out_shape.push_back(shape[1]);
    Array y = gather(value(weight), rows, ids.values);
    y.reshape(out_shape);
    return record("embedding", std::move(y), {weight}, [rows, ids, padding_id](const Backward& g) -> Grads {
        // the padding row is a constant here: whatever flows to it from this op is dropped
        scatter_add(g.input_grad(0), g.dout, rows, ids.values, padding_id);
        return {std::nullopt};
    });
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
    broadcast_shapes("where", broadcast_shapes("where", cond.shape(), a.shape()), b.shape());
    Array y = xt::where(xt::not_equal(value(cond), real(0)), value(a), value(b));
    return record("where", std::move(y), {cond, a, b}, [](const Backward& g) -> Grads {
        Grads d(3);  // d[0]: the condition is not differentiable
        if (g.needs(1)) d[1] = xt::where(xt::not_equal(g.in(0), real(0)), g.dout, real(0));
        if (g.needs(2)) d[2] = xt::where(xt::not_equal(g.in(0), real(0)), real(0), g.dout);
        return d;
    });
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, real fill) {
    const Shape shape = x.shape();
    if (broadcast_shapes("masked_fill", mask.shape(), shape) != shape) {
        fail("masked_fill", "mask of shape " + to_string(mask.shape()) +
                                " does not broadcast to x's shape " + to_string(shape));
    }
    Array y = xt::where(xt::not_equal(value(mask), real(0)), fill, value(x));
    const bool infinite_fill = !std::isfinite(fill);  // -inf before a softmax is deliberate
    return record("masked_fill", std::move(y), {x, mask}, [](const Backward& g) -> Grads {
        Grads d(2);
        if (g.needs(0)) d[0] = xt::where(xt::not_equal(g.in(1), real(0)), real(0), g.dout);
        return d;
    }, infinite_fill);
}

}  // namespace attn
