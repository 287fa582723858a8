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

}  // namespace bench
