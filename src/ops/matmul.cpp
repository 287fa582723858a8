// Matrix products through CBLAS on the arrays' own buffers. A transpose is a BLAS flag with the
// matching leading dimension, never a copy. (xtensor-blas is not included here: its headers and
// <cblas.h> declare the same enums and cannot share a translation unit.)
#include <cblas.h>

#include <algorithm>

#include "attn/gemm_log.hpp"
#include "attn/ops.hpp"
#include "attn/record.hpp"

namespace attn {

namespace {

/// out (m, n) = op(x) op(y), rows `ldx`, `ldy`, `ldo` elements apart.
[[maybe_unused]] inline void gemm(bool tx, bool ty, std::size_t m, std::size_t n, std::size_t k, const float* x,
          std::size_t ldx, const float* y, std::size_t ldy, float* out, std::size_t ldo) {
    cblas_sgemm(CblasRowMajor, tx ? CblasTrans : CblasNoTrans, ty ? CblasTrans : CblasNoTrans,
                int(m), int(n), int(k), 1.0f, x, int(ldx), y, int(ldy), 0.0f, out, int(ldo));
}

[[maybe_unused]] inline void gemm(bool tx, bool ty, std::size_t m, std::size_t n, std::size_t k, const double* x,
          std::size_t ldx, const double* y, std::size_t ldy, double* out, std::size_t ldo) {
    cblas_dgemm(CblasRowMajor, tx ? CblasTrans : CblasNoTrans, ty ? CblasTrans : CblasNoTrans,
                int(m), int(n), int(k), 1.0, x, int(ldx), y, int(ldy), 0.0, out, int(ldo));
}

/// op(x) op(y), op = transpose when the flag is set. Batched: x and y share their leading axes (all
/// but the last two), one product per batch element. Otherwise each is seen as a matrix whose rows
/// are all of its leading axes flattened (row-major, so no copy): x (..., K) times y (K, N) is
/// (..., N), which is how a layer multiplies every position of a (B, T, K) batch at once.
/// Shapes were checked by the caller.
Array product(const Array& x, bool tx, const Array& y, bool ty, bool batched) {
    const std::size_t dx = x.dimension(), dy = y.dimension();
    const std::size_t batch_axes = batched ? dx - 2 : 0;
    std::size_t batch = 1;
    for (std::size_t i = 0; i < batch_axes; ++i) batch *= x.shape()[i];
    const auto rows = [batch_axes](const Array& a) {  // the axes between the batch axes and the last
        std::size_t r = 1;
        for (std::size_t i = batch_axes; i + 1 < a.dimension(); ++i) r *= a.shape()[i];
        return r;
    };
    const std::size_t xc = x.shape()[dx - 1], xr = rows(x);
    const std::size_t yc = y.shape()[dy - 1], yr = rows(y);
    const std::size_t m = tx ? xc : xr, k = tx ? xr : xc, n = ty ? yr : yc;
    Shape shape{m, n};
    if (batched) {  // (..., M, N)
        shape = Shape(x.shape().begin(), x.shape().end());
        shape[dx - 2] = m;
        shape[dx - 1] = n;
    } else if (!tx && dx > 2) {  // (..., K) x (K, N) keeps the leading axes: (..., N)
        shape = Shape(x.shape().begin(), x.shape().end());
        shape.back() = n;
    }
    if (m == 0 || n == 0 || k == 0 || batch == 0) return attn::zeros(shape);  // BLAS rejects empty operands
    Array out = xt::empty<real>(shape);  // beta = 0: BLAS writes every element without reading it
    if (GemmLog* log = active_gemm_log()) log->calls.push_back({tx, ty, m, n, k, batch});
    for (std::size_t b = 0; b < batch; ++b) {
        gemm(tx, ty, m, n, k, x.data() + b * xr * xc, xc, y.data() + b * yr * yc, yc,
             out.data() + b * m * n, n);
    }
    return out;
}

std::string describe(const char* name, const Shape& s, Trans t) {
    return std::string(name) + " is " + to_string(s) + (t == Trans::yes ? " (transposed)" : "");
}

/// Checks ranks and the inner dimension; returns nothing, throws with both shapes. matmul (rank 2)
/// also takes an A of more axes, untransposed: its leading axes are rows. bmm (rank 3) takes any
/// number of batch axes, the same in A and B.
void check_product(const char* op, const Tensor& a, const Tensor& b, Trans ta, Trans tb,
                   std::size_t rank) {
    const Shape sa = a.shape(), sb = b.shape();
    if (rank == 2) {
        const bool a_rows = sa.size() > 2 && ta == Trans::no;
        if ((sa.size() != 2 && !a_rows) || sb.size() != 2) {
            fail(op, "needs a 2-D b and a 2-D a (or an untransposed a of more axes, (..., K)): " +
                         describe("a", sa, ta) + ", b is " + to_string(sb));
        }
    } else {
        if (sa.size() < 3 || sb.size() != sa.size()) {
            fail(op, "needs inputs of 3 or more axes, as many in each: a is " + to_string(sa) + ", b is " + to_string(sb));
        }
        if (!std::equal(sa.begin(), sa.end() - 2, sb.begin())) {
            fail(op, "batch sizes differ: a is " + to_string(sa) + ", b is " + to_string(sb));
        }
    }
    const std::size_t ka = ta == Trans::yes ? sa[sa.size() - 2] : sa.back();
    const std::size_t kb = tb == Trans::yes ? sb[sb.size() - 1] : sb[sb.size() - 2];
    if (ka != kb) {
        fail(op, "inner dimensions differ: " + describe("a", sa, ta) + ", " + describe("b", sb, tb));
    }
}

Tensor record_product(const char* op, const Tensor& a, const Tensor& b, Trans ta, Trans tb, bool batched) {
    const bool tx = ta == Trans::yes, ty = tb == Trans::yes;
    Array c = product(value(a), tx, value(b), ty, batched);
    return record(op, std::move(c), {a, b}, [tx, ty, batched](const Backward& g) -> Grads {
        // forward: C = op(A) op(B); an A of more axes is (rows, K), and so are C and dC (rows, N)
        Grads d(2);
        if (g.needs(0)) {
            d[0] = tx ? product(g.in(1), ty, g.dout, true, batched)     // A^T = op(B) dC^T
                      : product(g.dout, false, g.in(1), !ty, batched);  // A = dC op(B)^T: A's own shape
        }
        if (g.needs(1)) {
            d[1] = ty ? product(g.dout, true, g.in(0), tx, batched)     // B^T = dC^T op(A)
                      : product(g.in(0), !tx, g.dout, false, batched);  // B = op(A)^T dC
        }
        return d;
    });
}

// ---- multi-head products on the heads' own columns -------------------------------------------
// Head h of a (B, T, D) array is the T x d matrix of its columns [h d, (h + 1) d), rows D apart:
// BLAS reads and writes it in place through the leading dimension, where split_heads and
// merge_heads copy it out to (B, H, T, d) and back.

/// Where the (b, h) matrix of an array starts, and how far apart its rows are.
struct HeadLayout {
    std::size_t batch_step, head_step, ld;
    std::size_t at(std::size_t b, std::size_t h) const { return b * batch_step + h * head_step; }
};

/// A (B, T, D) array cut into `heads` blocks of columns.
HeadLayout column_heads(const Shape& s, std::size_t heads) { return {s[1] * s[2], s[2] / heads, s[2]}; }
/// A (B, H, R, C) array: one contiguous R x C matrix per (b, h).
HeadLayout head_matrices(const Shape& s) { return {s[1] * s[2] * s[3], s[2] * s[3], s[3]}; }

/// An array of `shape` whose (b, h) matrix is op(x_bh) op(y_bh), m x n, for all B x H pairs.
Array head_products(const Shape& shape, HeadLayout lo, std::size_t B, std::size_t H, bool tx, bool ty, std::size_t m,
                    std::size_t n, std::size_t k, const Array& x, HeadLayout lx, const Array& y, HeadLayout ly) {
    if (m == 0 || n == 0 || k == 0 || B * H == 0) return attn::zeros(shape);  // BLAS rejects empty operands
    Array out = xt::empty<real>(shape);  // the heads' blocks tile it: every element is written
    if (GemmLog* log = active_gemm_log()) log->calls.push_back({tx, ty, m, n, k, B * H});
    for (std::size_t b = 0; b < B; ++b) {
        for (std::size_t h = 0; h < H; ++h) {
            gemm(tx, ty, m, n, k, x.data() + lx.at(b, h), lx.ld, y.data() + ly.at(b, h), ly.ld, out.data() + lo.at(b, h), lo.ld);
        }
    }
    return out;
}

void check_heads(const char* op, const Shape& s, std::size_t heads) {
    if (heads == 0 || s.size() != 3 || s[2] % heads != 0) {
        fail(op, "needs (B, T, D) arrays with D divisible into " + std::to_string(heads) + " heads, got " + to_string(s));
    }
}

thread_local GemmLog* active_log = nullptr;

}  // namespace

GemmLog::GemmLog() : previous_(active_log) { active_log = this; }
GemmLog::~GemmLog() { active_log = previous_; }
GemmLog* active_gemm_log() { return active_log; }

std::string blas_kernel() {
    const char* name = openblas_get_corename();
    return name != nullptr ? name : "unknown";
}

int blas_threads() { return openblas_get_num_threads(); }

void set_blas_threads(int threads) {
    if (threads < 1) fail("set_blas_threads", "needs at least 1 thread, got " + std::to_string(threads));
    openblas_set_num_threads(threads);
}

Tensor matmul(const Tensor& a, const Tensor& b, Trans ta, Trans tb) {
    check_product("matmul", a, b, ta, tb, 2);
    return record_product("matmul", a, b, ta, tb, false);
}

Tensor bmm(const Tensor& a, const Tensor& b, Trans ta, Trans tb) {
    check_product("bmm", a, b, ta, tb, 3);
    return record_product("bmm", a, b, ta, tb, true);
}

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) {
    check_product("linear", x, w, Trans::no, Trans::no, 2);
    const std::size_t out = w.shape(1);
    if (b.dim() != 1 || b.shape(0) != out) {
        fail("linear", "the bias must be (" + std::to_string(out) + "), one per output column, got " + to_string(b.shape()));
    }
    Array y = product(value(x), false, value(w), false, false);  // x W: (..., out)
    const real* bias = value(b).data();
    real* row = y.data();
    const std::size_t rows = out == 0 ? 0 : y.size() / out;
    for (std::size_t r = 0; r < rows; ++r, row += out) {  // + b, in place: no second array
        for (std::size_t j = 0; j < out; ++j) row[j] += bias[j];
    }
    return record("linear", std::move(y), {x, w, b}, [](const Backward& g) -> Grads {
        Grads d(3);
        if (g.needs(0)) d[0] = product(g.dout, false, g.in(1), true, false);  // dx = dy W^T
        if (g.needs(1)) d[1] = product(g.in(0), true, g.dout, false, false);  // dW = x^T dy
        if (g.needs(2)) d[2] = g.take_dout();  // db = dy summed over the rows: the engine sums it to (out)
        return d;
    });
}

Tensor head_scores(const Tensor& q, const Tensor& k, std::size_t heads) {
    const Shape sq = q.shape(), sk = k.shape();
    check_heads("head_scores", sq, heads);
    check_heads("head_scores", sk, heads);
    if (sq[0] != sk[0] || sq[2] != sk[2]) {
        fail("head_scores", "q and k must be (B, Tq, D) and (B, Tk, D), got " + to_string(sq) + " and " + to_string(sk));
    }
    const std::size_t B = sq[0], Tq = sq[1], Tk = sk[1], d = sq[2] / heads;
    const Shape shape{B, heads, Tq, Tk};
    const HeadLayout lq = column_heads(sq, heads), lk = column_heads(sk, heads), ls = head_matrices(shape);
    Array s = head_products(shape, ls, B, heads, false, true, Tq, Tk, d, value(q), lq, value(k), lk);  // Q_bh K_bh^T
    return record("head_scores", std::move(s), {q, k}, [=](const Backward& g) -> Grads {
        Grads grads(2);
        if (g.needs(0)) grads[0] = head_products(sq, lq, B, heads, false, false, Tq, d, Tk, g.dout, ls, g.in(1), lk);  // dS K
        if (g.needs(1)) grads[1] = head_products(sk, lk, B, heads, true, false, Tk, d, Tq, g.dout, ls, g.in(0), lq);   // dS^T Q
        return grads;
    });
}

Tensor head_context(const Tensor& p, const Tensor& v) {
    const Shape sp = p.shape(), sv = v.shape();
    if (sp.size() != 4 || sv.size() != 3 || sp[0] != sv[0] || sp[3] != sv[1]) {
        fail("head_context", "p and v must be (B, H, Tq, Tk) and (B, Tk, D), got " + to_string(sp) + " and " + to_string(sv));
    }
    const std::size_t heads = sp[1];
    check_heads("head_context", sv, heads);
    const std::size_t B = sp[0], Tq = sp[2], Tk = sp[3], d = sv[2] / heads;
    const Shape shape{B, Tq, sv[2]};
    const HeadLayout lp = head_matrices(sp), lv = column_heads(sv, heads), lc = column_heads(shape, heads);
    Array c = head_products(shape, lc, B, heads, false, false, Tq, d, Tk, value(p), lp, value(v), lv);  // P_bh V_bh
    return record("head_context", std::move(c), {p, v}, [=](const Backward& g) -> Grads {
        Grads grads(2);
        if (g.needs(0)) grads[0] = head_products(sp, lp, B, heads, false, true, Tq, Tk, d, g.dout, lc, g.in(1), lv);  // dC V^T
        if (g.needs(1)) grads[1] = head_products(sv, lv, B, heads, true, false, Tk, d, Tq, g.in(0), lp, g.dout, lc);  // P^T dC
        return grads;
    });
}

}  // namespace attn
