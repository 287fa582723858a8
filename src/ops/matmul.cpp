// Matrix products through CBLAS on the arrays' own buffers. A transpose is a BLAS flag with the
// matching leading dimension, never a copy. (xtensor-blas is not included here: its headers and
// <cblas.h> declare the same enums and cannot share a translation unit.)
#include <cblas.h>

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

/// op(x) op(y), op = transpose when the flag is set. x, y are 2-D, or 3-D with a shared leading
/// batch axis (then one product per batch element). Shapes were checked by the caller.
Array product(const Array& x, bool tx, const Array& y, bool ty) {
    const bool batched = x.dimension() == 3;
    const std::size_t d = x.dimension();
    const std::size_t batch = batched ? x.shape()[0] : 1;
    const std::size_t xr = x.shape()[d - 2], xc = x.shape()[d - 1];
    const std::size_t yr = y.shape()[d - 2], yc = y.shape()[d - 1];
    const std::size_t m = tx ? xc : xr, k = tx ? xr : xc, n = ty ? yr : yc;
    const Shape shape = batched ? Shape{batch, m, n} : Shape{m, n};
    if (m == 0 || n == 0 || k == 0) return attn::zeros(shape);  // BLAS rejects empty operands; the product is 0
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

/// Checks ranks and the inner dimension; returns nothing, throws with both shapes.
void check_product(const char* op, const Tensor& a, const Tensor& b, Trans ta, Trans tb,
                   std::size_t rank) {
    const Shape sa = a.shape(), sb = b.shape();
    if (sa.size() != rank || sb.size() != rank) {
        fail(op, "needs " + std::to_string(rank) + "-D inputs: a is " + to_string(sa) + ", b is " +
                     to_string(sb));
    }
    if (rank == 3 && sa[0] != sb[0]) {
        fail(op, "batch sizes differ: a is " + to_string(sa) + ", b is " + to_string(sb));
    }
    const std::size_t ka = ta == Trans::yes ? sa[rank - 2] : sa[rank - 1];
    const std::size_t kb = tb == Trans::yes ? sb[rank - 1] : sb[rank - 2];
    if (ka != kb) {
        fail(op, "inner dimensions differ: " + describe("a", sa, ta) + ", " + describe("b", sb, tb));
    }
}

Tensor record_product(const char* op, const Tensor& a, const Tensor& b, Trans ta, Trans tb) {
    const bool tx = ta == Trans::yes, ty = tb == Trans::yes;
    Array c = product(value(a), tx, value(b), ty);
    return record(op, std::move(c), {a, b}, [tx, ty](const Backward& g) -> Grads {
        // forward: C = op(A) op(B)
        Grads d(2);
        if (g.needs(0)) {
            d[0] = tx ? product(g.in(1), ty, g.dout, true)     // A^T = op(B) dC^T
                      : product(g.dout, false, g.in(1), !ty);  // A = dC op(B)^T
        }
        if (g.needs(1)) {
            d[1] = ty ? product(g.dout, true, g.in(0), tx)     // B^T = dC^T op(A)
                      : product(g.in(0), !tx, g.dout, false);  // B = op(A)^T dC
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
    return record_product("matmul", a, b, ta, tb);
}

Tensor bmm(const Tensor& a, const Tensor& b, Trans ta, Trans tb) {
    check_product("bmm", a, b, ta, tb, 3);
    return record_product("bmm", a, b, ta, tb);
}

}  // namespace attn
