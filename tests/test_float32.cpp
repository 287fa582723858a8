// The float32 library (what the chapters train with): the same ops give the same answers to
// float32 precision, sgemm is wired like dgemm, and check_gradients adapts its step.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "../src/ops/vector_exp.hpp"
#include <xtensor/xmath.hpp>

#include "attn/attn.hpp"
#include "attn/record.hpp"

using namespace attn;

static_assert(sizeof(real) == 4, "this test must link libattn (float32)");

TEST_CASE("float32: matmul and bmm through sgemm, every transpose flag") {
    const Tensor a = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
    const Tensor b = Tensor::from({3, 2}, {7, 8, 9, 10, 11, 12});
    CHECK(matmul(a, b).values() == std::vector<real>{58, 64, 139, 154});  // small integers: exact
    CHECK(matmul(a, a, Trans::no, Trans::yes).values() == std::vector<real>{14, 32, 32, 77});
    CHECK(matmul(b, b, Trans::yes, Trans::no).values() == std::vector<real>{251, 278, 278, 308});
    CHECK(matmul(b, a, Trans::yes, Trans::yes).values() == std::vector<real>{58, 139, 64, 154});  // (a b)^T
    const Tensor batch = stack({a, a * 2.0f}, 0);  // (2, 2, 3)
    CHECK(bmm(batch, batch, Trans::no, Trans::yes).values() ==
          std::vector<real>{14, 32, 32, 77, 56, 128, 128, 308});
}

TEST_CASE("float32: softmax and cross_entropy stay finite at the extremes") {
    const Tensor x = Tensor::from({3}, {80, -80, 0});  // exp(80) overflows float32
    const std::vector<real> p = softmax(x, 0).values();
    CHECK(p[0] == 1.0f);
    CHECK(p[1] == 0.0f);
    CHECK(std::isfinite(cross_entropy(reshape(x, {1, 3}), Ids({1})).item()));
    CHECK(cross_entropy(reshape(x, {1, 3}), Ids({1})).item() == doctest::Approx(160.0).epsilon(1e-6));
}

namespace {

/// How many of `inputs` detail::exp_in_place does not give exactly as std::exp (NaN as NaN).
std::size_t exp_mismatches(const std::vector<float>& inputs) {
    std::vector<float> vector = inputs;
    attn::detail::exp_in_place(vector.data(), vector.size());
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const float scalar = std::exp(inputs[i]);
        std::uint32_t a, b;
        std::memcpy(&a, &vector[i], 4);
        std::memcpy(&b, &scalar, 4);
        if (a != b && !(std::isnan(vector[i]) && std::isnan(scalar))) ++wrong;
    }
    return wrong;
}

/// The same over every float whose bit pattern is a multiple of `step`, a million at a time.
std::size_t exp_mismatches_in_sweep(std::uint64_t step) {
    std::size_t wrong = 0;
    std::vector<float> x;
    for (std::uint64_t bits = 0; bits < (std::uint64_t(1) << 32); bits += step) {
        const std::uint32_t b = std::uint32_t(bits);
        x.emplace_back();
        std::memcpy(&x.back(), &b, 4);
        if (x.size() == (1 << 20)) {
            wrong += exp_mismatches(x);
            x.clear();
        }
    }
    return wrong + exp_mismatches(x);
}

}  // namespace

TEST_CASE("float32: softmax's vector exp equals std::exp bit for bit") {
#if defined(__AVX2__) && defined(__FMA__)
    MESSAGE("the AVX2 + FMA kernel is compiled in");
#else
    MESSAGE("no AVX2 + FMA: exp_in_place is std::exp itself");
#endif
    const float inf = std::numeric_limits<float>::infinity();
    // the edges of glibc's special cases (overflow above 88.72, 0 below -103.97, subnormal results
    // between), signed zeros, infinities, NaN, and lengths that leave a tail of 1-3
    std::vector<float> edges = {0.0f, -0.0f, 1.0f, -1.0f, 88.0f, 0x1.62e42ep6f, 0x1.62e430p6f, 88.8f, -87.4f, -88.0f,
                                -0x1.9fe368p6f, -0x1.9fe36ap6f, -103.0f, -104.0f, inf, -inf, std::nanf(""), 1e-30f, -1e-30f};
    for (std::size_t n = 0; n <= edges.size(); ++n) {
        CHECK(exp_mismatches(std::vector<float>(edges.begin(), edges.begin() + std::ptrdiff_t(n))) == 0);
    }
    CHECK(exp_mismatches_in_sweep(251) == 0);  // 17 million floats spread over every exponent and sign
}

TEST_CASE("float32: softmax's row sums eight rows at a time and its row maxima equal the one-row loops bit for bit") {
    const float inf = std::numeric_limits<float>::infinity();
    attn::Rng rng(5);
    for (const std::size_t n : {1, 3, 8, 13, 32, 64, 1000}) {
        const std::size_t rows = 19;  // two groups of eight and three rows alone
        std::vector<float> x(rows * n), m(rows), s(rows);
        for (float& v : x) v = float(rng.normal() * 4);
        for (std::size_t k = 0; k < n; k += 3) x[2 * n + k] = -inf;  // masked entries
        for (std::size_t k = 0; k < n; ++k) x[5 * n + k] = -inf;     // a fully masked row: its max is -inf
        x[7 * n] = std::nanf("");                                    // a NaN: skipped by the max
        std::size_t wrong_max = 0, wrong_sum = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const float reference = attn::detail::max_loop(x.data() + r * n, n);
            m[r] = attn::detail::row_max(x.data() + r * n, n);
            wrong_max += m[r] != reference;
        }
        CHECK(m[5] == -inf);
        attn::detail::exp_sums(x.data(), rows, n, m.data(), s.data());
        for (std::size_t r = 0; r < rows; ++r) {
            const float reference = attn::detail::exp_sum(x.data() + r * n, n, m[r]);
            wrong_sum += std::memcmp(&reference, &s[r], 4) != 0 && !(std::isnan(reference) && std::isnan(s[r]));
        }
        CHECK_MESSAGE(wrong_max == 0, "n = " << n);
        CHECK_MESSAGE(wrong_sum == 0, "n = " << n);
    }
}

TEST_CASE("float32: softmax along contiguous rows equals softmax along strided columns bit for bit") {
    // Contiguous rows take their statistics eight rows at a time and their exponentials where they
    // are written; a strided axis goes through the one-row loops and for_each_exp: the same numbers.
    attn::Rng rng(7);
    const float inf = std::numeric_limits<float>::infinity();
    for (const std::size_t n : {1, 5, 32, 1000}) {
        const std::size_t rows = 21;
        std::vector<float> x(rows * n);
        for (float& v : x) v = float(rng.normal() * 6);
        for (std::size_t k = 0; k < n; k += 4) x[3 * n + k] = -inf;  // masked entries
        for (std::size_t k = 0; k < n; ++k) x[9 * n + k] = -inf;     // a fully masked row
        const Tensor t = Tensor::from({rows, n}, x);
        const std::vector<real> along_rows = softmax(t, 1).values();
        const std::vector<real> along_columns = transpose(softmax(transpose(t, 0, 1), 0), 0, 1).values();
        CHECK_MESSAGE(std::memcmp(along_rows.data(), along_columns.data(), x.size() * sizeof(float)) == 0, "n = " << n);
    }
}

TEST_CASE("float32: a gradient summed over its leading axes equals xt::sum's bit for bit") {
    // sum_to_shape adds the rows in a loop of its own where only leading axes go (bias gradients);
    // xt::sum, which it replaced there, is the reference, on values of mixed magnitudes where the
    // order of the adds shows.
    attn::Rng rng(6);
    const std::vector<std::pair<Shape, Shape>> cases = {
        {{2048, 128}, {128}}, {{64, 32, 128}, {128}}, {{64, 32, 128}, {32, 128}}, {{7, 3}, {3}},
        {{1, 5}, {5}}, {{5, 1}, {1}}, {{6, 4}, {}}, {{300, 1000}, {1000}}, {{300, 1000}, {}}, {{256}, {}}};
    for (const auto& shapes : cases) {
        // not a structured binding: in C++17 clang's lambdas (CHECK_MESSAGE) cannot capture one
        const Shape from = shapes.first, to = shapes.second;
        Array g = xt::empty<float>(from);
        for (float& v : g) v = float(rng.normal() * std::pow(10.0, std::floor(rng.uniform(-2, 3))));
        std::vector<std::size_t> axes(from.size() - to.size());
        for (std::size_t i = 0; i < axes.size(); ++i) axes[i] = i;
        const Array reference = xt::sum(g, axes, xt::evaluation_strategy::immediate);
        const Array summed = sum_to_shape("test", g, to);
        CHECK(shape_of(summed) == to);
        CHECK_MESSAGE(std::memcmp(summed.data(), reference.data(), reference.size() * sizeof(float)) == 0,
                      "from " << to_string(from) << " to " << to_string(to));
    }
}

// All 2^32 floats (about 20 s): run with `build/tests/test_float32 --no-skip`. Passed on this
// project's machine (glibc 2.36, AVX2 + FMA) when the kernel was written.
TEST_CASE("float32: the vector exp on every float" * doctest::skip()) { CHECK(exp_mismatches_in_sweep(1) == 0); }

TEST_CASE("float32: a training step and check_gradients with the float32 step") {
    Rng rng(1);
    Tensor w = uniform({4, 3}, -1, 1, rng).set_requires_grad();
    const Tensor x = uniform({5, 4}, -1, 1, rng);
    const GradCheckReport report =
        check_gradients([&] { return cross_entropy(tanh(matmul(x, w)), Ids({0, 1, 2, 1, 0})); }, {w});
    INFO(report.to_string());
    CHECK(std::string(report.precision) == "float32");
    // float32 finite differences with h = 1e-2 are only good to ~1e-3 (rounding eps*|L|/h ~ 1e-5
    // plus truncation h^2 ~ 1e-4, relative to gradients of ~0.1); this checks wiring, not math —
    // the math is checked in float64 by the other test executables.
    CHECK(report.max_error < 1e-2);
}
