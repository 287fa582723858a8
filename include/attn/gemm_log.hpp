// attn/gemm_log.hpp — a record of every matrix product the engine runs, for benchmarks.
//
// While a GemmLog is alive on a thread, matmul and bmm (forward and backward) append the shape of
// each BLAS call they make. bench/ uses it to count a step's FLOPs exactly and to replay the same
// products on raw cblas_sgemm: the time BLAS alone needs for the step, a floor no implementation
// built on this BLAS can go below. With no log alive, the cost is one branch per product.
#pragma once

#include <cstddef>
#include <vector>

namespace attn {

/// One BLAS call: op(A) (m, k) times op(B) (k, n), `batch` times (bmm), transposed as flagged.
struct GemmCall {
    bool trans_a, trans_b;
    std::size_t m, n, k, batch;
    double flops() const { return 2.0 * double(m) * double(n) * double(k) * double(batch); }
};

class GemmLog {
public:
    GemmLog();   // starts recording on this thread (logs nest: the innermost records)
    ~GemmLog();  // stops
    GemmLog(const GemmLog&) = delete;
    GemmLog& operator=(const GemmLog&) = delete;

    std::vector<GemmCall> calls;

private:
    GemmLog* previous_;
};

/// The log recording on this thread, or nullptr.
GemmLog* active_gemm_log();

}  // namespace attn
