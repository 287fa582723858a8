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

[[maybe_unused]] inline void gemm(bool tx, bool ty, std::size_t m, std::size_t n, std::size_t k, const float* x,
          std::size_t ldx, const float* y, std::size_t ldy, float* out) {
    cblas_sgemm(CblasRowMajor, tx ? CblasTrans : CblasNoTrans, ty ? CblasTrans : CblasNoTrans,
                int(m), int(n), int(k), 1.0f, x, int(ldx), y, int(ldy), 0.0f, out, int(n));
}

[[maybe_unused]] inline void gemm(bool tx, bool ty, std::size_t m, std::size_t n, std::size_t k, const double* x,
          std::size_t ldx, const double* y, std::size_t ldy, double* out) {
    cblas_dgemm(CblasRowMajor, tx ? CblasTrans : CblasNoTrans, ty ? CblasTrans : CblasNoTrans,
                int(m), int(n), int(k), 1.0, x, int(ldx), y, int(ldy), 0.0, out, int(n));
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
             out.data() + b * m * n);
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

}  // namespace attn
