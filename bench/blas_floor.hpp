// bench/blas_floor.hpp — the time raw BLAS alone needs for a training step's matrix products.
#pragma once

#include <vector>

#include "attn/gemm_log.hpp"

namespace bench {

/// Replays `calls` (one step's products, recorded with attn::GemmLog) on raw cblas_sgemm — same
/// shapes, transpose flags and thread count, on buffers allocated once — and returns the median
/// milliseconds of `repeats` replays. No implementation on this BLAS does the step's products in
/// less; the buffers stay warm in cache, so if anything this floor is low.
double blas_floor_ms(const std::vector<attn::GemmCall>& calls, int repeats);

/// The floor one shape at a time: the calls grouped by shape, transpose flags and batch, each
/// group replayed alone (blas_floor_ms), in the order of their first call.
struct ShapeFloor {
    attn::GemmCall call;  // one of the group
    std::size_t count;    // calls of this shape in the step
    double ms;            // all of them, replayed
    double gflops() const { return call.flops() * double(count) / ms / 1e6; }
};
std::vector<ShapeFloor> blas_floor_by_shape(const std::vector<attn::GemmCall>& calls, int repeats);

}  // namespace bench
