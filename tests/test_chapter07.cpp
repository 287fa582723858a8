// Chapter 7 (factorization machines, attentional factorization machines): the FM's fast identity
// against its definition, both models by hand on tiny cases, gradient checks of the pair-wise
// interaction layer, the attention network and the whole models (float64), the uniform ablation,
// L2 on W, shape and index errors, learning.
#include <cmath>

#include "../chapters/07_afm/model.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::check_values;
using attn::test::param;
using attn::test::tensors_of;
using ch07::FeatureBatch;

namespace {

/// Three examples of four fields over nine features, real values (not only 1) so x_i matters.
FeatureBatch batch_of_three() {
    return {Ids({3, 4}, {0, 3, 5, 8, 1, 2, 6, 7, 0, 4, 5, 7}),
            Tensor::from({3, 4}, {1.0, 0.5, 2.0, -1.0, 1.5, 1.0, -0.5, 1.0, 0.25, 1.0, 1.0, 2.0}),
            Tensor::from({3}, {0.5, -1.0, 2.0})};
}

ch07::Config small(ch07::Pooling pooling = ch07::Pooling::attention) {
    ch07::Config c;
    c.k = 3;
    c.t = 2;
    c.dropout = 0;
    c.pooling = pooling;
    return c;
}

}  // namespace

TEST_CASE("chapter 7: the FM's O(km) identity equals the sum over pairs, values and gradients") {
    const Tensor vx = param({3, 5, 4}, 1);  // (B, m, K)
    check_values(ch07::FactorizationMachine::pairwise_fast(vx), ch07::FactorizationMachine::pairwise_by_definition(vx).values(),
                 1e-12);  // the same sum, added in another order: float64 rounding only
    check_grads([&] { return ch07::FactorizationMachine::pairwise_fast(vx); }, {vx});
    check_grads([&] { return ch07::FactorizationMachine::pairwise_by_definition(vx); }, {vx});
}

TEST_CASE("chapter 7: FM by hand: w0 + sum_i w_i x_i + sum_{i<j} <v_i, v_j> x_i x_j") {
    Rng rng(2);
    ch07::FactorizationMachine fm(4, 2, rng);
    fm.w0.data()[0] = 0.5;
    const double w[4] = {0.1, -0.2, 0.3, 0.4};
    const double V[4][2] = {{1, 2}, {0.5, -1}, {-1, 0.25}, {2, 1}};
    for (int i = 0; i < 4; ++i) {
        fm.w.data()[i] = real(w[i]);
        for (int k = 0; k < 2; ++k) fm.V.data()[i * 2 + k] = real(V[i][k]);
    }
    // one example with fields (features 0, 1, 3) and values (1, 2, -1)
    const FeatureBatch b{Ids({1, 3}, {0, 1, 3}), Tensor::from({1, 3}, {1, 2, -1}), Tensor::from({1}, {0})};
    const int f[3] = {0, 1, 3};
    const double x[3] = {1, 2, -1};
    double y = 0.5;
    for (int i = 0; i < 3; ++i) y += w[f[i]] * x[i];
    for (int i = 0; i < 3; ++i)
        for (int j = i + 1; j < 3; ++j) y += (V[f[i]][0] * V[f[j]][0] + V[f[i]][1] * V[f[j]][1]) * x[i] * x[j];
    CHECK(fm.predict(b).item() == doctest::Approx(y).epsilon(1e-12));
    CHECK(fm.parameter_count() == 1 + 4 + 4 * 2);
}

TEST_CASE("chapter 7: the pair-wise interaction layer by hand: (v_i ⊙ v_j) x_i x_j for every pair i < j") {
    Rng rng(3);
    ch07::Afm afm(4, 3, small(), rng);
    const Tensor vx = Tensor::from({1, 3, 2}, {1, 2, 3, 4, 5, 6});  // v_i x_i of three fields, K = 2
    check_values(afm.interactions(vx), {1 * 3, 2 * 4, 1 * 5, 2 * 6, 3 * 5, 4 * 6}, 1e-12);  // pairs (0,1), (0,2), (1,2)
}

TEST_CASE("chapter 7: the pair-wise interaction layer: its float64 gradient") {
    Rng rng(4);
    ch07::Afm afm(9, 4, small(), rng);
    const Tensor vx = param({3, 4, 3}, 5);
    check_grads([&] { return test::probe(afm.interactions(vx)); }, {vx});
}

TEST_CASE("chapter 7: AFM by hand: pair-wise interactions, attention, pooling, prediction") {
    Rng rng(3);
    ch07::Afm afm(4, 3, small(), rng);
    CHECK(afm.pairs.count() == 3);
    CHECK(afm.pairs.first.values == std::vector<int>{0, 0, 1});
    CHECK(afm.pairs.second.values == std::vector<int>{1, 2, 2});
    CHECK(afm.parameter_count() == 1 + 4 + 4 * 3 + (3 * 2 + 2) + 2 + 3);  // w0, w, V, W and b, h, p
    const FeatureBatch b{Ids({1, 3}, {0, 2, 3}), Tensor::from({1, 3}, {1, 0.5, 2}), Tensor::from({1}, {0})};
    afm.w0.data()[0] = real(0.25);
    for (int i = 0; i < 4; ++i) afm.w.data()[i] = real(0.1 * (i + 1));
    for (int k = 0; k < 3; ++k) afm.p.data()[k] = real(0.5 - 0.3 * k);
    const std::vector<real> V = afm.V.values(), W = afm.W.W.values(), bias = afm.W.b.values(), h = afm.h.values();
    const int f[3] = {0, 2, 3};
    const double x[3] = {1, 0.5, 2};
    const int pi[3] = {0, 0, 1}, pj[3] = {1, 2, 2};
    double e[3][3], score[3], z = 0;
    for (int q = 0; q < 3; ++q) {
        for (int k = 0; k < 3; ++k) e[q][k] = V[f[pi[q]] * 3 + k] * x[pi[q]] * V[f[pj[q]] * 3 + k] * x[pj[q]];  // (v_i ⊙ v_j) x_i x_j
        score[q] = 0;
        for (int t = 0; t < 2; ++t) {
            double hidden = bias[t];
            for (int k = 0; k < 3; ++k) hidden += e[q][k] * W[k * 2 + t];
            score[q] += h[t] * std::max(hidden, 0.0);  // h^T ReLU(W e + b)
        }
        z += std::exp(score[q]);
    }
    double y = 0.25;
    for (int i = 0; i < 3; ++i) y += 0.1 * (f[i] + 1) * x[i];
    std::vector<real> a(3);
    for (int q = 0; q < 3; ++q) {
        a[q] = real(std::exp(score[q]) / z);
        for (int k = 0; k < 3; ++k) y += (0.5 - 0.3 * k) * a[q] * e[q][k];
    }
    Rng unused(0);
    const ch07::Afm::Output out = afm.forward(b, unused);
    check_values(out.weights, a, 1e-12);
    CHECK(out.y.item() == doctest::Approx(y).epsilon(1e-12));
}

TEST_CASE("chapter 7: AFM gradient checks (float64): the interaction layer, the attention network, the whole model") {
    Rng rng(4);
    ch07::Afm afm(9, 4, small(), rng);
    const FeatureBatch b = batch_of_three();
    const Tensor vx = param({3, 4, 3}, 5);
    check_grads([&] { return test::probe(afm.interactions(vx)); }, {vx});
    const Tensor e = param({3, 6, 3}, 6);
    std::vector<Tensor> inputs = {e, afm.W.W, afm.W.b, afm.h};
    check_grads([&] { return test::probe(afm.attention(e)); }, inputs);
    Rng unused(0);
    check_grads([&] { return afm.loss(b, unused); }, tensors_of(afm));
    test::check_every_parameter_learns(afm, [&] { return afm.loss(b, unused); });

    ch07::FactorizationMachine fm(9, 3, rng);
    check_grads([&] { return fm.loss(b, unused); }, tensors_of(fm));
    test::check_every_parameter_learns(fm, [&] { return fm.loss(b, unused); });
}

TEST_CASE("chapter 7: attention weights sum to 1 over the pairs; uniform pooling is 1/P and has no attention network") {
    Rng rng(7);
    ch07::Afm afm(9, 4, small(), rng);
    Rng unused(0);
    const Tensor a = afm.forward(batch_of_three(), unused).weights;
    REQUIRE(a.shape() == Shape{3, 6});
    for (std::size_t r = 0; r < 3; ++r) {
        double total = 0;
        for (std::size_t q = 0; q < 6; ++q) total += a.at({r, q});
        CHECK(total == doctest::Approx(1).epsilon(1e-12));
    }
    Rng rng2(7);
    ch07::Afm uniform(9, 4, small(ch07::Pooling::uniform), rng2);
    check_values(uniform.forward(batch_of_three(), unused).weights, std::vector<real>(18, real(1.0 / 6)), 1e-15);
    CHECK(uniform.parameter_count() == afm.parameter_count() - (3 * 2 + 2) - 2);  // no W, b, h
}

TEST_CASE("chapter 7: L2 on W adds lambda ||W||^2 to the loss, and dropout acts on the pooled vector only in training") {
    Rng rng(8);
    ch07::Config c = small();
    ch07::Afm plain(9, 4, c, rng);
    Rng rng2(8);
    c.lambda = real(0.3);
    ch07::Afm regularised(9, 4, c, rng2);
    Rng unused(0);
    double norm = 0;
    for (real v : plain.W.W.values()) norm += double(v) * double(v);
    CHECK(regularised.loss(batch_of_three(), unused).item() ==
          doctest::Approx(plain.loss(batch_of_three(), unused).item() + 0.3 * norm).epsilon(1e-12));

    Rng rng3(9);
    c = small();
    c.dropout = real(0.5);
    ch07::Afm dropping(9, 4, c, rng3);
    Rng r1(1), r2(2);
    CHECK(dropping.forward(batch_of_three(), r1).y.values() != dropping.forward(batch_of_three(), r2).y.values());
    dropping.eval();
    CHECK(dropping.forward(batch_of_three(), r1).y.values() == dropping.forward(batch_of_three(), r2).y.values());
}

TEST_CASE("chapter 7: bad batches and sizes are refused with one clear message") {
    Rng rng(10);
    ch07::Afm afm(9, 4, small(), rng);
    ch07::FactorizationMachine fm(9, 3, rng);
    Rng unused(0);
    FeatureBatch b = batch_of_three();
    b.features.values[5] = 9;
    CHECK_THROWS_WITH_AS(afm.forward(b, unused), "Afm: feature index 9 is outside the table of 9 features", std::invalid_argument);
    CHECK_THROWS_WITH_AS(fm.predict(b), "FactorizationMachine: feature index 9 is outside the table of 9 features",
                         std::invalid_argument);
    b = batch_of_three();
    b.y = Tensor::zeros({2});
    CHECK_THROWS_WITH_AS(fm.predict(b), "FactorizationMachine: needs features and x (B, m) and y (B), got (3, 4), (3, 4) and (2)",
                         std::invalid_argument);
    ch07::Afm five(9, 5, small(), rng);
    CHECK_THROWS_WITH_AS(five.forward(batch_of_three(), unused), "Afm: the model has 5 fields, the batch 4", std::invalid_argument);
    CHECK_THROWS_WITH_AS(ch07::Afm(9, 1, small(), rng), "Afm: needs at least 2 fields to have a pair, got 1", std::invalid_argument);
}

TEST_CASE("chapter 7: AFM learns a planted interaction on a fixed batch") {
    // y = +1 when fields 0 and 1 agree (features 0/2 or 1/3), -1 otherwise; field 2 is noise
    std::vector<int> features;
    std::vector<real> x, y;
    for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b)
            for (int c = 0; c < 2; ++c) {
                features.insert(features.end(), {a, 2 + b, 4 + c});
                x.insert(x.end(), {1, 1, 1});
                y.push_back(a == b ? 1 : -1);
            }
    const FeatureBatch batch{Ids({8, 3}, features), Tensor::from({8, 3}, x), Tensor::from({8}, y)};
    Rng rng(11);
    ch07::Config c = small();
    c.k = 4;
    ch07::Afm afm(6, 3, c, rng);
    Trainer trainer(afm, test::plain_adam(0.05));
    double first = 0, last = 0;
    for (int step = 0; step < 300; ++step) (step == 0 ? first : last) = trainer.step([&] { return afm.loss(batch, rng); });
    INFO("loss " << first << " -> " << last);
    CHECK(last < 0.05 * first);
}
