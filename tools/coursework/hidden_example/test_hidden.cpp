// A hidden test: the additive score on shapes the public tests do not use (S = 1, B = 3), against
// the formula e = v_a^T tanh(W_a s + U_a h) computed here by hand.
#include <cmath>

#include "attn/nn/attention.hpp"
#include "../check.hpp"  // tests/check.hpp: the hidden folder sits in tests/

using namespace attn;

TEST_CASE("hidden: additive score with one source position and three sentences") {
    Rng rng(11);
    AdditiveScore score(2, 3, 4, rng);
    const Tensor s = uniform({3, 2}, -1, 1, rng), h = uniform({3, 1, 3}, -1, 1, rng);
    const Tensor e = score.scores(s, score.prepare(h));
    REQUIRE(e.shape() == Shape{3, 1});
    for (std::size_t b = 0; b < 3; ++b) {
        double expected = 0;
        for (std::size_t a = 0; a < 4; ++a) {
            double x = 0;
            for (std::size_t i = 0; i < 2; ++i) x += s.at({b, i}) * score.W_a.at({i, a});
            for (std::size_t i = 0; i < 3; ++i) x += h.at({b, 0, i}) * score.U_a.at({i, a});
            expected += score.v_a.at({a}) * std::tanh(x);
        }
        CHECK(e.at({b, 0}) == doctest::Approx(expected).epsilon(1e-12));
    }
}
