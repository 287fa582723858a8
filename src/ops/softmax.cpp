// softmax, log_softmax and cross_entropy: fused, because composing them from exp/sum/log
// overflows at large logits and turns masked (-inf) entries into NaN.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "attn/ops.hpp"
#include "attn/record.hpp"
#include "vector_exp.hpp"

namespace attn {

namespace {

constexpr real minus_inf = -std::numeric_limits<real>::infinity();

/// Calls f(base, stride) for every row along `axis`: element k of the row is at base + k*stride.
template <class F>
void for_each_row(const AxisLayout& l, F&& f) {
    for (std::size_t o = 0; o < l.outer; ++o)
        for (std::size_t i = 0; i < l.inner; ++i) f(o * l.n * l.inner + i, l.inner);
}

/// Calls use(k, e) for k = 0..n-1 in order, with e = exp(x[k * stride] - a - b) exactly as std::exp
/// gives it: the exponentials are taken 64 at a time by the vector kernel (vector_exp.hpp).
template <class F>
void for_each_exp(const real* x, std::size_t n, std::size_t stride, real a, real b, F&& use) {
    constexpr std::size_t chunk = 64;
    real e[chunk];
    for (std::size_t start = 0; start < n; start += chunk) {
        const std::size_t length = std::min(chunk, n - start);
        for (std::size_t j = 0; j < length; ++j) e[j] = x[(start + j) * stride] - a - b;
        detail::exp_in_place(e, length);
        for (std::size_t j = 0; j < length; ++j) use(start + j, e[j]);
    }
}

/// out[k] = exp(x[k] - a - b) for k < n, a contiguous row: for_each_exp's values, taken in place
/// where they are written (no buffer to copy them from).
void exp_shifted_into(const real* x, std::size_t n, real a, real b, real* out) {
    for (std::size_t k = 0; k < n; ++k) out[k] = x[k] - a - b;
    detail::exp_in_place(out, n);
}

/// The row's maximum and log-sum-exp. m = -inf means every entry is -inf (a fully masked row).
struct RowStats {
    real max, log_sum;
};
RowStats row_stats(const real* x, std::size_t n, std::size_t stride) {
    real m = minus_inf;
    for (std::size_t k = 0; k < n; ++k) m = std::max(m, x[k * stride]);
    if (m == minus_inf) return {m, 0};
    real s = 0;
    for_each_exp(x, n, stride, m, 0, [&](std::size_t, real e) { s += e; });  // sum_k exp(x_k - m), in order
    return {m, std::log(s)};
}

/// row_stats of `rows` contiguous rows of n, equal to it bit for bit: the sums of exponentials are
/// taken eight rows at a time (detail::exp_sums), which a single row's chain of adds cannot be.
std::vector<RowStats> contiguous_row_stats(const real* x, std::size_t rows, std::size_t n) {
    std::vector<real> max(rows), sum(rows);
    for (std::size_t r = 0; r < rows; ++r) max[r] = detail::row_max(x + r * n, n);
    detail::exp_sums(x, rows, n, max.data(), sum.data());  // a fully masked row's sum is NaN, and unused
    std::vector<RowStats> stats(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        stats[r] = max[r] == minus_inf ? RowStats{max[r], 0} : RowStats{max[r], std::log(sum[r])};
    }
    return stats;
}

}  // namespace

Tensor softmax(const Tensor& x, int axis) {
    const Shape shape = x.shape();
    const AxisLayout l = axis_layout(shape, normalize_axis("softmax", axis, shape));
    Array y = xt::empty<real>(shape);
    const real* in = value(x).data();
    const std::vector<RowStats> stats = l.inner == 1 ? contiguous_row_stats(in, l.outer, l.n) : std::vector<RowStats>();
    for_each_row(l, [&](std::size_t base, std::size_t stride) {
        real* out = y.data() + base;
        const RowStats r = l.inner == 1 ? stats[base / l.n] : row_stats(in + base, l.n, stride);
        if (r.max == minus_inf) {  // a fully masked row: 0
            for (std::size_t k = 0; k < l.n; ++k) out[k * stride] = 0;
            return;
        }
        if (stride == 1) {
            exp_shifted_into(in + base, l.n, r.max, r.log_sum, out);
        } else {
            for_each_exp(in + base, l.n, stride, r.max, r.log_sum, [&](std::size_t k, real e) { out[k * stride] = e; });
        }
    });
    return record("softmax", std::move(y), {x}, [l](const Backward& g) -> Grads {
        // EXERCISE ch0.softmax_backward (5 points): the backward of softmax along an axis, masked rows included
        // dx_k = y_k (dy_k - sum_j dy_j y_j); a fully masked row has y = 0, hence dx = 0
        Array dx = xt::empty<real>(g.out.shape());
        for_each_row(l, [&](std::size_t base, std::size_t stride) {
            real dot = 0;
            for (std::size_t k = 0; k < l.n; ++k) dot += g.dout.data()[base + k * stride] * g.out.data()[base + k * stride];
            for (std::size_t k = 0; k < l.n; ++k) {
                const std::size_t at = base + k * stride;
                dx.data()[at] = g.out.data()[at] * (g.dout.data()[at] - dot);
            }
        });
        return {std::move(dx)};
        // END EXERCISE ch0.softmax_backward
    });
}

Tensor log_softmax(const Tensor& x, int axis) {
    const Shape shape = x.shape();
    const AxisLayout l = axis_layout(shape, normalize_axis("log_softmax", axis, shape));
    Array y = attn::zeros(shape);
    const real* in = value(x).data();
    for_each_row(l, [&](std::size_t base, std::size_t stride) {
        const RowStats r = row_stats(in + base, l.n, stride);
        if (r.max == minus_inf) return;  // no distribution: leave zeros
        for (std::size_t k = 0; k < l.n; ++k) {
            y.data()[base + k * stride] = in[base + k * stride] - r.max - r.log_sum;
        }
    });
    return record("log_softmax", std::move(y), {x}, [l](const Backward& g) -> Grads {
        // dx_k = dy_k - softmax_k * sum_j dy_j, with softmax_k = exp(y_k)
        Array dx = attn::zeros(shape_of(g.out));
        const real* in = g.in(0).data();
        for_each_row(l, [&](std::size_t base, std::size_t stride) {
            bool masked = true;  // every input entry -inf: the output was a constant 0
            for (std::size_t k = 0; k < l.n && masked; ++k) masked = in[base + k * stride] == minus_inf;
            if (masked) return;
            real total = 0;
            for (std::size_t k = 0; k < l.n; ++k) total += g.dout.data()[base + k * stride];
            for_each_exp(g.out.data() + base, l.n, stride, 0, 0, [&](std::size_t k, real softmax_k) {
                const std::size_t at = base + k * stride;
                dx.data()[at] = g.dout.data()[at] - softmax_k * total;
            });
        });
        return {std::move(dx)};
    });
}

Tensor cross_entropy(const Tensor& logits, const Ids& targets, CrossEntropyOptions options) {
    const Shape shape = logits.shape();
    if (shape.size() < 2) fail("cross_entropy", "logits must be (N, C) or (..., C), got " + to_string(shape));
    const Shape leading(shape.begin(), shape.end() - 1);  // one row of C logits per position
    const std::size_t rows = element_count(leading), classes = shape.back();
    if (targets.shape != leading) {
        fail("cross_entropy", "targets must be " + to_string(leading) + ", one per row of logits " + to_string(shape) +
                                  ", got " + to_string(targets.shape));
    }
    const real eps = options.label_smoothing;
    if (!(eps >= 0 && eps < 1)) fail("cross_entropy", "label_smoothing must be in [0, 1), got " + std::to_string(eps));
    for (std::size_t n = 0; n < rows; ++n) {
        const int t = targets.values[n];
        if (t != options.ignore_index && (t < 0 || static_cast<std::size_t>(t) >= classes)) {
            fail("cross_entropy", "target " + std::to_string(t) + " (row " + std::to_string(n) +
                                      ") is out of range for " + std::to_string(classes) + " classes");
        }
    }

    // q_nc: 1 - eps on the target, eps spread over the classes that can be predicted. The backward
    // gradient d logits_n = (softmax(logits_n) - q_n) / count is built here, row by row, in one
    // array (ignored rows 0): dL/dy = 1 now, and backward only scales it by the real dL/dy.
    const real* z = value(logits).data();
    Array dlogits = xt::empty<real>(shape);
    const std::vector<RowStats> stats = contiguous_row_stats(z, rows, classes);
    std::size_t count = 0;
    real total = 0;
    for (std::size_t n = 0; n < rows; ++n) {
        const int t = targets.values[n];
        real* d = dlogits.data() + n * classes;  // holds softmax p_n until the scale is known
        if (t == options.ignore_index) {
            std::fill(d, d + classes, real(0));
            continue;
        }
        const real* row = z + n * classes;
        const RowStats r = stats[n];
        if (r.max == minus_inf) {
            fail("cross_entropy", "row " + std::to_string(n) + " has every logit -inf: no class can be predicted");
        }
        exp_shifted_into(row, classes, r.max, r.log_sum, d);  // p_nc
        if (eps == 0) {  // q_n is one-hot: only the target's entry moves (the loop below, without its zeros)
            d[t] -= real(1);
            total += -(row[t] - r.max - r.log_sum);
            ++count;
            continue;
        }
        const auto predictable = [&](std::size_t c) {
            return static_cast<int>(c) != options.ignore_index && row[c] != minus_inf;
        };
        std::size_t spread = 0;  // classes that receive smoothing mass
        for (std::size_t c = 0; c < classes; ++c) spread += predictable(c) ? 1 : 0;
        real loss = 0;
        for (std::size_t c = 0; c < classes; ++c) {
            real q = eps > 0 && predictable(c) ? eps / static_cast<real>(spread) : real(0);
            if (static_cast<int>(c) == t) q += real(1) - eps;
            d[c] -= q;
            if (q != 0) loss -= q * (row[c] - r.max - r.log_sum);  // q_nc log p_nc
        }
        total += loss;
        ++count;
    }
    const real scale = count > 0 ? real(1) / static_cast<real>(count) : real(0);
    dlogits *= scale;
    // Backward runs once per node (the tape refuses a second sweep), so the lambda hands its array
    // on, scaled in place, instead of copying it (and takes it over by move, not by copy).
    return record("cross_entropy", Array(total * scale), {logits},
                  [dlogits = std::move(dlogits)](const Backward& g) mutable -> Grads {
        dlogits *= g.dout.data()[0];
        return {std::move(dlogits)};
    });
}

}  // namespace attn
