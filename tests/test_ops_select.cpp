// where, masked_fill and dropout.
#include <cmath>
#include <limits>

#include "check.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::check_values;
using attn::test::param;
using attn::test::param_of;

TEST_CASE("where: closed form, broadcasting gradients, errors") {
    const Tensor cond = Tensor::from({2, 1}, {1, 0});
    const Tensor a = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
    const Tensor b = Tensor::from({3}, {-1, -2, -3});
    check_values(where(cond, a, b), {1, 2, 3, -1, -2, -3});

    const Tensor x = param({2, 3}, 41), y = param({3}, 42);
    const Tensor c = Tensor::from({2, 3}, {1, 0, 1, 0, 0, 1});
    check_grads([&] { return where(c, x, y); }, {x, y});
    check_grads([&] { return where(cond, y, x); }, {x, y});
    CHECK_THROWS_WITH_AS(where(Tensor::zeros({4}), x, y), "where: shapes do not broadcast: a is (4), b is (2, 3)",
                         std::invalid_argument);
}

TEST_CASE("masked_fill: closed form, gradients, errors") {
    const real inf = std::numeric_limits<real>::infinity();
    const Tensor x = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
    const Tensor mask = Tensor::from({3}, {0, 1, 0});
    const std::vector<real> filled = masked_fill(x, mask, -inf).values();
    CHECK(filled[1] == -inf);
    CHECK(filled[4] == -inf);
    CHECK(filled[0] == 1);
    check_values(masked_fill(x, mask, 0), {1, 0, 3, 4, 0, 6});

    const Tensor w = param({2, 3}, 43);
    check_grads([&] { return masked_fill(w, mask, 7); }, {w});
    check_grads([&] { return masked_fill(w, Tensor::from({2, 1}, {1, 0}), 0); }, {w});
    CHECK_THROWS_WITH_AS(masked_fill(x, Tensor::zeros({2}), 0),
                         "masked_fill: shapes do not broadcast: a is (2), b is (2, 3)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(masked_fill(Tensor::zeros({3}), Tensor::zeros({2, 3}), 0),
                         "masked_fill: mask of shape (2, 3) does not broadcast to x's shape (3)", std::invalid_argument);
}

TEST_CASE("dropout: identity in evaluation, unbiased in training, gradient through the mask") {
    Rng rng(1);
    const Tensor x = Tensor::full({100000}, 1.0);
    CHECK(dropout(x, 0.3, rng, false).same_as(x));
    CHECK(dropout(x, 0.0, rng, true).same_as(x));

    const std::vector<real> y = dropout(x, 0.25, rng, true).values();
    std::size_t zeros = 0;
    double total = 0;
    for (real v : y) {
        CHECK((v == 0 || std::abs(v - 1 / 0.75) < 1e-12));
        zeros += v == 0;
        total += v;
    }
    CHECK(std::abs(double(zeros) / y.size() - 0.25) < 0.005);  // standard error sqrt(.25*.75/1e5) = 0.0014
    CHECK(std::abs(total / y.size() - 1.0) < 0.01);             // expectation preserved

    const Tensor w = param({4, 5}, 44);
    check_grads([&] {
        Rng same(9);  // the same mask on every evaluation, as check_gradients requires
        return dropout(w, 0.5, same, true);
    }, {w});

    // Same seed, same mask.
    Rng r1(5), r2(5);
    CHECK(dropout(x, 0.5, r1, true).values() == dropout(x, 0.5, r2, true).values());

    // The mask is the definition, drawn in integers: element i is dropped exactly when a same-seeded
    // Rng's uniform() is below p — for p that are not powers of two too, and with p = 0.5 exactly.
    const Tensor z = param({3, 7, 11}, 45);
    for (const real p : {real(0.1), real(0.15), real(0.5), real(0.9)}) {
        Rng fast(77), plain(77);
        const std::vector<real> dropped = dropout(z, p, fast, true).values(), xs = z.values();
        std::size_t differ = 0;
        for (std::size_t i = 0; i < xs.size(); ++i) {
            const real expected = plain.uniform() < p ? real(0) : xs[i] * (real(1) / (real(1) - p));
            differ += dropped[i] != expected;  // bit for bit
        }
        CAPTURE(p);
        CHECK(differ == 0);
        CHECK(fast.next() == plain.next());  // one draw per element, no more
    }

    CHECK_THROWS_WITH_AS(dropout(x, 1.0, rng, true), "dropout: p must be in [0, 1), got 1.000000",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(dropout(x, -0.1, rng, true), "dropout: p must be in [0, 1), got -0.100000",
                         std::invalid_argument);
}
