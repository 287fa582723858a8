// softmax, log_softmax, cross_entropy: values, gradients, masking with -inf, and extremes.
#include <cmath>
#include <limits>

#include "check.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::check_values;
using attn::test::param;
using attn::test::param_of;

namespace {

const real inf = std::numeric_limits<real>::infinity();

bool all_finite(const Tensor& t) {
    for (real v : t.values()) if (!std::isfinite(v)) return false;
    return true;
}

/// log(sum_k exp(x_k)) in long double, as an independent reference.
double log_sum_exp(std::initializer_list<double> xs) {
    long double s = 0;
    for (double x : xs) s += std::exp(static_cast<long double>(x));
    return static_cast<double>(std::log(s));
}

}  // namespace

TEST_CASE("softmax and log_softmax: closed form along either axis") {
    const Tensor x = Tensor::from({2, 3}, {1, 2, 3, 0, 0, 0});
    const double l = log_sum_exp({1, 2, 3});
    check_values(softmax(x, 1), {std::exp(1 - l), std::exp(2 - l), std::exp(3 - l), 1.0 / 3, 1.0 / 3, 1.0 / 3});
    check_values(log_softmax(x, -1), {1 - l, 2 - l, 3 - l, -std::log(3.0), -std::log(3.0), -std::log(3.0)});
    const double c = log_sum_exp({1, 0});
    check_values(softmax(x, 0), {std::exp(1 - c), std::exp(2 - log_sum_exp({2, 0})), std::exp(3 - log_sum_exp({3, 0})),
                                 std::exp(-c), std::exp(-log_sum_exp({2, 0})), std::exp(-log_sum_exp({3, 0}))});
}

TEST_CASE("softmax and log_softmax: gradients over every axis, with masked entries") {
    const Tensor x = param({2, 3, 4}, 51, -2, 2);
    for (int axis : {0, 1, 2, -1}) {
        CAPTURE(axis);
        check_grads([&] { return softmax(x, axis); }, {x});
        check_grads([&] { return log_softmax(x, axis); }, {x});
    }
    // Masked keys (-inf) get weight 0 and no gradient; the other entries still check out.
    const Tensor mask = Tensor::from({1, 1, 4}, {0, 1, 0, 1});
    check_grads([&] { return softmax(masked_fill(x, mask, -inf), -1); }, {x});
    // log_softmax is -inf at masked entries; zero them as a loss would, so L stays finite.
    check_grads([&] { return masked_fill(log_softmax(masked_fill(x, mask, -inf), -1), mask, 0); }, {x});
}

TEST_CASE("softmax and log_softmax at +-300 and -inf stay finite") {
    const Tensor x = Tensor::from({3}, {300, -300, 0});
    const std::vector<real> p = softmax(x, 0).values();
    CHECK(p[0] == 1.0);
    CHECK(std::abs(p[1] - std::exp(-600.0)) <= 1e-12 * std::exp(-600.0));  // tiny, still exact in double
    CHECK(std::abs(p[2] - std::exp(-300.0)) <= 1e-12 * std::exp(-300.0));
    check_values(log_softmax(x, 0), {0, -600, -300}, 1e-12);

    const Tensor masked = Tensor::from({4}, {-inf, 1, -inf, 1});
    check_values(softmax(masked, 0), {0, 0.5, 0, 0.5});
    const std::vector<real> ls = log_softmax(masked, 0).values();
    CHECK(ls[0] == -inf);
    CHECK(std::abs(ls[1] + std::log(2.0)) < 1e-12);
}

TEST_CASE("a fully masked row gives zeros and zero gradient, never NaN") {
    Tensor x = param_of({2, 3}, {0.5, 1, 2, 3, 1, 0});
    const Tensor mask = Tensor::from({2, 1}, {1, 0});  // row 0 entirely masked
    Tape tape;
    Tensor p, lp;
    {
        Recording on(tape);
        p = softmax(masked_fill(x, mask, -inf), 1);
        lp = log_softmax(masked_fill(x, mask, -inf), 1);
        tape.backward(sum(p * param({2, 3}, 52)) + sum(lp * param({2, 3}, 53)));
    }
    check_values(slice(p, 0, 0, 1), {0, 0, 0});
    check_values(slice(lp, 0, 0, 1), {0, 0, 0});
    CHECK(all_finite(x.grad()));
    check_values(slice(x.grad(), 0, 0, 1), {0, 0, 0});
    CHECK(sum(slice(p, 0, 1, 2)).item() == doctest::Approx(1.0));
}

TEST_CASE("cross_entropy: closed form, ignore index, label smoothing") {
    const Tensor logits = Tensor::from({3, 3}, {1, 2, 3, 0, 0, 0, 5, 1, -1});
    SUBCASE("plain: mean of -log p_target over rows") {
        const double expected = ((log_sum_exp({1, 2, 3}) - 3) + std::log(3.0) + (log_sum_exp({5, 1, -1}) - 1)) / 3;
        CHECK(cross_entropy(logits, Ids({2, 0, 1})).item() == doctest::Approx(expected).epsilon(1e-12));
    }
    SUBCASE("ignored rows count neither in the sum nor in the mean") {
        const double expected = ((log_sum_exp({1, 2, 3}) - 3) + (log_sum_exp({5, 1, -1}) - 1)) / 2;
        CHECK(cross_entropy(logits, Ids({2, -100, 1})).item() == doctest::Approx(expected).epsilon(1e-12));
        CHECK(cross_entropy(logits, Ids({-100, -100, -100})).item() == 0.0);
    }
    SUBCASE("smoothing spreads eps over the predictable classes, never the padding class") {
        // pad = class 0: q = (0, eps/2, eps/2) + (1 - eps) on the target.
        const double eps = 0.2, l = log_sum_exp({1, 2, 3});
        const double row0 = -((eps / 2) * (2 - l) + (eps / 2 + 1 - eps) * (3 - l));
        const CrossEntropyOptions options{0, real(eps)};
        CHECK(cross_entropy(slice(logits, 0, 0, 1), Ids({2}), options).item() == doctest::Approx(row0).epsilon(1e-12));
        // without a padding class, eps is spread over all three
        const double all = -((eps / 3) * (1 - l) + (eps / 3) * (2 - l) + (eps / 3 + 1 - eps) * (3 - l));
        CHECK(cross_entropy(slice(logits, 0, 0, 1), Ids({2}), {-100, real(eps)}).item() ==
              doctest::Approx(all).epsilon(1e-12));
    }
}

TEST_CASE("cross_entropy: gradients") {
    const Tensor logits = param({5, 4}, 54, -2, 2);
    check_grads([&] { return cross_entropy(logits, Ids({0, 3, 1, 2, 3})); }, {logits});
    check_grads([&] { return cross_entropy(logits, Ids({0, 3, -100, 2, -100})); }, {logits});
    check_grads([&] { return cross_entropy(logits, Ids({1, 3, 0, 2, 1}), {0, 0.1}); }, {logits});
    check_grads([&] { return cross_entropy(logits, Ids({1, 3, 0, 2, 1}), {-100, 0.3}) * 2.0; }, {logits});
    const Tensor mask = Tensor::from({1, 4}, {0, 0, 1, 0});
    check_grads([&] { return cross_entropy(masked_fill(logits, mask, -inf), Ids({1, 3, 0, 1, 1}), {-100, 0.1}); },
                {logits});
}

TEST_CASE("cross_entropy over (..., C): one row per position, the same numbers as the (N, C) form") {
    Tensor logits = param({2, 3, 4}, 55, -2, 2);
    const Ids targets({2, 3}, {0, 3, -100, 2, 1, 1});
    for (real eps : {real(0), real(0.2)}) {
        CAPTURE(eps);
        Tensor g3, g2;
        real l3 = 0, l2 = 0;
        {
            Tape tape;
            Recording on(tape);
            const Tensor loss = cross_entropy(logits, targets, {-100, eps});
            tape.backward(loss);
            l3 = loss.item();
            g3 = logits.grad();
        }
        logits.zero_grad();
        {
            Tape tape;
            Recording on(tape);
            const Tensor loss = cross_entropy(reshape(logits, {6, 4}), Ids({6}, targets.values), {-100, eps});
            tape.backward(loss);
            l2 = loss.item();
            g2 = logits.grad();
        }
        logits.zero_grad();
        CHECK(l3 == l2);  // the same arithmetic in the same order: bit for bit
        CHECK(g3.values() == g2.values());
        CHECK(g3.shape() == Shape{2, 3, 4});
        check_grads([&] { return cross_entropy(logits, targets, {-100, eps}); }, {logits});
    }
}

TEST_CASE("cross_entropy at +-300 and with -inf logits stays finite") {
    Tensor logits = param_of({2, 3}, {300, -300, 0, -inf, 1, 2});
    Tape tape;
    Tensor loss;
    {
        Recording on(tape);
        loss = cross_entropy(logits, Ids({1, 2}), {-100, 0.1});
        tape.backward(loss);
    }
    // row 0: -log p_1 = 600 (to double precision); row 1: -inf logit gets no smoothing mass
    const double row1 = -(0.05 * (1 - log_sum_exp({1, 2})) + 0.95 * (2 - log_sum_exp({1, 2})));
    const double row0 = -(0.9 + 0.1 / 3) * (-600) - (0.1 / 3) * (0) - (0.1 / 3) * (-300);
    CHECK(loss.item() == doctest::Approx((row0 + row1) / 2).epsilon(1e-12));
    CHECK(all_finite(loss));
    CHECK(all_finite(logits.grad()));
    CHECK(logits.grad().at({1, 0}) == 0.0);  // a masked class gets no gradient
}

TEST_CASE("softmax and log_softmax: axis errors") {
    const Tensor x = Tensor::zeros({2, 3});
    CHECK_THROWS_WITH_AS(softmax(x, 2), "softmax: axis 2 is out of range for shape (2, 3)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(log_softmax(x, -3), "log_softmax: axis -3 is out of range for shape (2, 3)",
                         std::invalid_argument);
}

TEST_CASE("cross_entropy: errors") {
    const Tensor logits = Tensor::zeros({2, 3});
    CHECK_THROWS_WITH_AS(cross_entropy(logits, Ids({0, 3})), "cross_entropy: target 3 (row 1) is out of range for 3 classes",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(cross_entropy(logits, Ids({0})), "cross_entropy: targets must be (2), one per row of logits (2, 3), got (1)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(cross_entropy(Tensor::zeros({2, 3, 4}), Ids({0, 1})),
                         "cross_entropy: targets must be (2, 3), one per row of logits (2, 3, 4), got (2)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(cross_entropy(Tensor::zeros({4}), Ids({0})),
                         "cross_entropy: logits must be (N, C) or (..., C), got (4)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(cross_entropy(logits, Ids({0, 1}), {-100, 1.0}),
                         "cross_entropy: label_smoothing must be in [0, 1), got 1.000000", std::invalid_argument);
    CHECK_THROWS_WITH_AS(cross_entropy(Tensor::full({1, 2}, -inf), Ids({0})),
                         "cross_entropy: row 0 has every logit -inf: no class can be predicted", std::invalid_argument);
}
