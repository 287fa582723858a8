// The float32 library (what the chapters train with): the same ops give the same answers to
// float32 precision, sgemm is wired like dgemm, and check_gradients adapts its step.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "attn/attn.hpp"

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
