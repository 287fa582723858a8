// src/ops/lanes.hpp — eight rows in eight lanes, for sums that must keep their order.
//
// A row's sum s += x[k] is a chain: each add waits for the one before (4 cycles), and adding in
// another order would change the rounding, so the numbers. Reading eight rows at once and
// transposing them 8 x 8 puts row j in lane j: one vector add advances eight rows' chains by one
// term each, in each row's own order, so every sum is the one-row loop's bit for bit. Used by the
// softmax's and cross-entropy's sums of exponentials (vector_exp.hpp).
#pragma once

#include <cstddef>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace attn::detail {

/// Transposes the 8 x 8 block in r: afterwards r[i] holds what was column i.
inline void transpose8(__m256 r[8]) {
    __m256 t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; ++i) {
        r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
        r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
    }
}

/// Calls f(column, k) for k = 0, 1, ..., n - 1 in order, column = (x[k], x[n + k], ..., x[7 n + k]):
/// element k of the eight rows of n that start at x, row j in lane j.
template <class F>
void for_each_column8(const float* x, std::size_t n, F&& f) {
    std::size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        __m256 block[8];
        for (std::size_t j = 0; j < 8; ++j) block[j] = _mm256_loadu_ps(x + j * n + k);
        transpose8(block);  // block[i]: element k + i of each row
        for (std::size_t i = 0; i < 8; ++i) f(block[i], k + i);
    }
    for (; k < n; ++k) {
        f(_mm256_set_ps(x[7 * n + k], x[6 * n + k], x[5 * n + k], x[4 * n + k], x[3 * n + k], x[2 * n + k], x[n + k], x[k]), k);
    }
}

}  // namespace attn::detail

#endif
