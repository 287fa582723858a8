// Chapter 3 (Luong attention): gradient checks of all nine variants and input feeding, the local
// window at the edges, padding, and learning per family.
#include <cmath>

#include "../chapters/03_luong/model.hpp"
#include "check.hpp"
#include "seq2seq_fixtures.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::tensors_of;

namespace {

ch03::Config tiny(ch03::Score score, ch03::Alignment alignment, bool feeding = true) {
    ch03::Config c;
    c.embedding = 3;
    c.hidden = 4;
    c.layers = 2;
    c.score = score;
    c.alignment = alignment;
    c.input_feeding = feeding;
    c.window = 1;  // smaller than the sentences, so the window really cuts
    return c;
}

const char* name(ch03::Alignment a) { return a == ch03::Alignment::global ? "global" : a == ch03::Alignment::local_m ? "local-m" : "local-p"; }

}  // namespace

TEST_CASE("chapter 3: float64 gradient check of all nine variants, with and without input feeding") {
    const PairBatch batch = test::tiny_batch();
    for (ch03::Score score : {ch03::Score::dot, ch03::Score::general, ch03::Score::concat}) {
        for (ch03::Alignment alignment : {ch03::Alignment::global, ch03::Alignment::local_m, ch03::Alignment::local_p}) {
            for (bool feeding : {true, false}) {
                CAPTURE(int(score));
                CAPTURE(name(alignment));
                CAPTURE(feeding);
                Rng rng(7);
                ch03::Luong model(7, 6, tiny(score, alignment, feeding), rng);
                test::check_every_parameter_learns(model, [&] { return model.loss(batch, rng); });  // v_p and W_p too
                check_grads([&] { return model.loss(batch, rng); }, tensors_of(model));
            }
        }
    }
}

TEST_CASE("chapter 3: the gradient reaches p_t (local-p) through the Gaussian") {
    Rng rng(8);
    ch03::Luong model(7, 6, tiny(ch03::Score::general, ch03::Alignment::local_p), rng);
    const ch03::Luong::Encoded e = model.encode(test::tiny_batch().source, rng);
    const Tensor h = test::param({2, 4}, 9);
    // the context as a function of W_p and v_p alone: only the Gaussian (and p_t) connect them
    check_grads([&] { return model.attend_to_source(h, e, 0).context; }, {model.W_p.W, model.v_p, h});
}

TEST_CASE("chapter 3: local windows at the edges, shorter sentences and padding") {
    Rng rng(10);
    ch03::Config config = tiny(ch03::Score::dot, ch03::Alignment::local_p);
    config.window = 2;
    ch03::Luong model(9, 6, config, rng);
    const PaddedBatch source = pad_batch({{4, 5, 6, 7, 8, 4, 5}, {6, 7}}, Vocabulary::pad);  // lengths 7 and 2
    const ch03::Luong::Encoded e = model.encode(source, rng);
    const Tensor h = test::param({2, 4}, 11);

    for (real push : {real(-50), real(50)}) {  // sigmoid ~ 0: p_t near 0; sigmoid ~ 1: p_t near S_b - 1
        CAPTURE(push);
        model.v_p = Tensor::full({4, 1}, push);
        model.W_p.W = Tensor::full({4, 4}, 0.5);
        const ch03::Luong::Attended a = model.attend_to_source(tanh(h) + 2.0, e, 0);  // positive tanh inputs
        const double p0 = a.p.at({0, 0}), p1 = a.p.at({1, 0});
        CHECK(p0 == doctest::Approx(push > 0 ? 6.0 : 0.0).epsilon(1e-9));
        CHECK(p1 == doctest::Approx(push > 0 ? 1.0 : 0.0).epsilon(1e-9));
        for (std::size_t s = 0; s < 7; ++s) {
            const bool inside = std::abs(double(s) - p0) <= 2;
            CAPTURE(s);
            CHECK((a.weights.at({0, s}) > 0) == inside);  // zero outside the window, positive inside
        }
        // the short sentence: the window is wider than the sentence; padding gets exactly 0
        CHECK(a.weights.at({1, 0}) > 0);
        CHECK(a.weights.at({1, 1}) > 0);
        for (std::size_t s = 2; s < 7; ++s) CHECK(a.weights.at({1, s}) == 0);
        for (real w : a.weights.values()) CHECK(std::isfinite(w));
        // no renormalisation by default: the Gaussian leaves the weights summing to less than 1
        double total = 0;
        for (std::size_t s = 0; s < 7; ++s) total += a.weights.at({0, s});
        CHECK(total < 1.0);
    }
    model.config.renormalize = true;
    const ch03::Luong::Attended r = model.attend_to_source(h, e, 0);
    double total = 0;
    for (std::size_t s = 0; s < 7; ++s) total += r.weights.at({0, s});
    CHECK(total == doctest::Approx(1.0).epsilon(1e-9));

    // local-m: p_t = t, clipped to the sentence
    ch03::Config m = tiny(ch03::Score::dot, ch03::Alignment::local_m);
    ch03::Luong monotonic(9, 6, m, rng);
    const ch03::Luong::Encoded em = monotonic.encode(source, rng);
    const ch03::Luong::Attended at5 = monotonic.attend_to_source(h, em, 5);
    CHECK(at5.p.at({0, 0}) == 5.0);
    CHECK(at5.p.at({1, 0}) == 1.0);  // clipped to the last real position
    for (std::size_t s : {0, 1, 2, 3}) CHECK(at5.weights.at({0, s}) == 0);  // window [4, 6]
}

TEST_CASE("chapter 3: a padded batch gives the same outputs as each sentence alone") {
    for (ch03::Alignment alignment : {ch03::Alignment::global, ch03::Alignment::local_m, ch03::Alignment::local_p}) {
        CAPTURE(name(alignment));
        Rng rng(12);
        ch03::Luong model(7, 6, tiny(ch03::Score::general, alignment), rng);
        test::check_padding_invariance(model);
    }
}

TEST_CASE("chapter 3: each family learns a fixed batch") {
    for (ch03::Alignment alignment : {ch03::Alignment::global, ch03::Alignment::local_m, ch03::Alignment::local_p}) {
        CAPTURE(name(alignment));
        Rng rng(13);
        ch03::Config c;
        c.embedding = 8;
        c.hidden = 16;
        c.layers = 1;
        c.alignment = alignment;
        ch03::Luong model(8, 8, c, rng);
        test::check_learning(model, rng, /*steps=*/60, /*factor=*/0.2);
    }
}

TEST_CASE("chapter 3: evaluation mode switches every dropout off") {
    Rng rng(14);
    ch03::Config c = tiny(ch03::Score::general, ch03::Alignment::local_p);
    c.dropout = 0.5;
    ch03::Luong model(7, 6, c, rng);
    test::check_eval_switches_off_dropout(model);
}
