// src/ops/vector_exp.hpp — exp over an array, four floats at a time, equal bit for bit to std::exp.
//
// Softmax and cross-entropy take one or two exponentials per element: about 7 million in a step of
// the B5 Transformer, 5% of its time in glibc's scalar expf. exp_in_place runs glibc's own expf
// algorithm (glibc 2.28 on, from Arm's optimized-routines; Szabolcs Nagy) on four lanes:
//   x N / ln 2 = k + r, |r| <= 1/2, N = 32;  exp(x) = 2^(k/N) 2^(r/N) ~= s (C0 r^3 + C1 r^2 + C2 r + 1)
// with s = 2^(k/N) built from a 32-entry table and k's high bits, all in double, rounded to float
// once at the end — and with the same fused multiply-adds as glibc's FMA build (read off its
// disassembly), so every result equals std::exp's bit for bit and no number anywhere moves.
// tests/test_float32.cpp checks that on a sweep of all floats (and, skipped by default, on every
// one). Without AVX2 and FMA, for doubles, and for the lanes glibc treats specially (x > 88.72,
// NaN), it is std::exp itself. Beside it, the other two things softmax needs per row, equal to
// their one-row loops: the maximum (row_max), and the sum of exponentials eight rows at a time
// (exp_sums, through lanes.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "lanes.hpp"

namespace attn::detail {

/// y[i] = exp(y[i]) for i < n (doubles: std::exp).
inline void exp_in_place(double* y, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) y[i] = std::exp(y[i]);
}

#if defined(__AVX2__) && defined(__FMA__)

/// 2^(i/32) rounded to double, minus i << 47: adding k << 47 for k = i (mod 32) restores the
/// exponent, giving 2^(k/32). (glibc's __exp2f_data.tab; the same values.)
alignas(32) inline const std::int64_t exp2_table[32] = {
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
};

/// exp of four floats, glibc's main path: valid for -103.97 <= x <= 88.72 (below, the caller's
/// blend gives 0, as glibc's underflow does).
inline __m128 exp4(__m128 x) {
    const __m256d inv_ln2_n = _mm256_set1_pd(0x1.71547652b82fep+5);  // N / ln 2
    const __m256d shift = _mm256_set1_pd(0x1.8p+52);                 // rounds to an integer in the low bits
    const __m256d c0 = _mm256_set1_pd(0x1.c6af84b912394p-20), c1 = _mm256_set1_pd(0x1.ebfce50fac4f3p-13),
                  c2 = _mm256_set1_pd(0x1.62e42ff0c52d6p-6), one = _mm256_set1_pd(1.0);
    const __m256d xd = _mm256_cvtps_pd(x);
    __m256d kd = _mm256_fmadd_pd(inv_ln2_n, xd, shift);              // k in kd's low bits
    const __m256i ki = _mm256_castpd_si256(kd);
    kd = _mm256_sub_pd(kd, shift);
    const __m256d r = _mm256_fmsub_pd(inv_ln2_n, xd, kd);            // x N / ln 2 - k
    const __m256i index = _mm256_and_si256(ki, _mm256_set1_epi64x(31));
    const __m256i t = _mm256_add_epi64(_mm256_i64gather_epi64(reinterpret_cast<const long long*>(exp2_table), index, 8),
                                       _mm256_slli_epi64(ki, 47));
    const __m256d s = _mm256_castsi256_pd(t);                        // 2^(k/N)
    const __m256d z = _mm256_fmadd_pd(c0, r, c1);
    const __m256d r2 = _mm256_mul_pd(r, r);
    __m256d p = _mm256_fmadd_pd(c2, r, one);
    p = _mm256_fmadd_pd(z, r2, p);
    return _mm256_cvtpd_ps(_mm256_mul_pd(p, s));
}

/// exp of four floats of any value, as std::exp gives them.
inline __m128 exp4_any(__m128 x) {
    // NaN or above 88.72 (exp overflows): glibc's special cases, rare, so std::exp for the four
    if (_mm_movemask_ps(_mm_cmp_ps(x, _mm_set1_ps(0x1.62e42ep6f), _CMP_NLE_UQ)) != 0) {
        alignas(16) float lanes[4];
        _mm_store_ps(lanes, x);
        for (float& lane : lanes) lane = std::exp(lane);
        return _mm_load_ps(lanes);
    }
    // below -103.97 (a masked -inf among them) exp is 0 in float
    const __m128 zero = _mm_cmp_ps(x, _mm_set1_ps(-0x1.9fe368p6f), _CMP_LT_OQ);
    return _mm_andnot_ps(zero, exp4(_mm_andnot_ps(zero, x)));
}

/// y[i] = exp(y[i]) for i < n, equal to std::exp bit for bit.
inline void exp_in_place(float* y, std::size_t n) {
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(y + i, exp4_any(_mm_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] = std::exp(y[i]);
}

/// exp(x - m) on eight lanes.
inline __m256 exp8_shifted(__m256 x, __m256 m) {
    const __m256 v = _mm256_sub_ps(x, m);
    return _mm256_set_m128(exp4_any(_mm256_extractf128_ps(v, 1)), exp4_any(_mm256_castps256_ps128(v)));
}

/// max(x[0], ..., x[n-1]) as the loop m = std::max(m, x[k]) from -inf gives it (NaNs skipped; the
/// maximum of numbers does not depend on the order), eight lanes at a time.
inline float row_max(const float* x, std::size_t n) {
    __m256 lanes = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    std::size_t k = 0;
    for (; k + 8 <= n; k += 8) lanes = _mm256_max_ps(_mm256_loadu_ps(x + k), lanes);  // x > m ? x : m, as std::max(m, x)
    alignas(32) float lane[8];
    _mm256_store_ps(lane, lanes);
    float m = -std::numeric_limits<float>::infinity();
    for (const float l : lane) m = std::max(m, l);
    for (; k < n; ++k) m = std::max(m, x[k]);
    return m;
}

/// Eight rows at once: s[j] = sum over k < n of exp(x[j n + k] - m[j]), added in order of k from 0 —
/// the scalar loop's sum bit for bit, as lane j adds row j's terms one by one. One row alone waits
/// on each add before the next; here eight rows' adds advance together.
inline void exp_sums8(const float* x, std::size_t n, const float* m, float* s) {
    const __m256 shift = _mm256_loadu_ps(m);
    __m256 sum = _mm256_setzero_ps();
    for_each_column8(x, n, [&](__m256 column, std::size_t) { sum = _mm256_add_ps(sum, exp8_shifted(column, shift)); });
    _mm256_storeu_ps(s, sum);
}

#else

inline void exp_in_place(float* y, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) y[i] = std::exp(y[i]);
}

#endif

/// The row maximum one element at a time, from -inf: the readable twin of row_max.
template <class T>
T max_loop(const T* x, std::size_t n) {
    T m = -std::numeric_limits<T>::infinity();
    for (std::size_t k = 0; k < n; ++k) m = std::max(m, x[k]);
    return m;
}

inline double row_max(const double* x, std::size_t n) { return max_loop(x, n); }
#if !(defined(__AVX2__) && defined(__FMA__))
inline float row_max(const float* x, std::size_t n) { return max_loop(x, n); }
#endif

/// The row sums of softmax's denominator, one row at a time: the readable twin of exp_sums.
template <class T>
T exp_sum(const T* x, std::size_t n, T m) {
    T s = 0;
    for (std::size_t k = 0; k < n; ++k) s += std::exp(x[k] - m);
    return s;
}

/// s[r] = exp_sum(x + r n, n, m[r]) for r < rows, bit for bit; rows of floats eight at a time.
template <class T>
void exp_sums(const T* x, std::size_t rows, std::size_t n, const T* m, T* s) {
    std::size_t r = 0;
#if defined(__AVX2__) && defined(__FMA__)
    if constexpr (std::is_same_v<T, float>) {
        for (; r + 8 <= rows; r += 8) exp_sums8(x + r * n, n, m + r, s + r);
    }
#endif
    for (; r < rows; ++r) s[r] = exp_sum(x + r * n, n, m[r]);
}

}  // namespace attn::detail
