// Linear, Embedding, Dropout, LayerNorm, FeedForward, positional encoding, module bookkeeping.
#include <cmath>

#include "attn/nn/composed.hpp"
#include "attn/nn/layers.hpp"
#include "attn/nn/multi_head.hpp"
#include "attn/nn/normalization.hpp"
#include "attn/nn/positional_encoding.hpp"
#include "attn/nn/transformer.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_every_parameter_learns;
using attn::test::check_grads;
using attn::test::probe;
using attn::test::check_values;
using attn::test::param;
using attn::test::tensors_of;

TEST_CASE("Linear: y = x W + b on any leading axes, count, gradients, init range") {
    Rng rng(1);
    Linear layer(4, 3, rng);
    CHECK(layer.parameter_count() == 4 * 3 + 3);
    CHECK(layer.parameters()[0].name == "W");
    CHECK(layer.parameters()[1].name == "b");
    for (real w : layer.W.values()) CHECK(std::abs(w) <= 0.5);  // +-1/sqrt(4)

    const Tensor x = param({2, 5, 4}, 2);
    const Tensor y = layer.forward(x);
    CHECK(y.shape() == Shape{2, 5, 3});
    // row (1, 2) by hand
    for (std::size_t j = 0; j < 3; ++j) {
        double expected = layer.b.at({j});
        for (std::size_t i = 0; i < 4; ++i) expected += x.at({1, 2, i}) * layer.W.at({i, j});
        CHECK(y.at({1, 2, j}) == doctest::Approx(expected).epsilon(1e-12));
    }
    check_every_parameter_learns(layer, [&] { return probe(layer.forward(x)); });
    std::vector<Tensor> inputs = tensors_of(layer);
    inputs.push_back(x);
    check_grads([&] { return layer.forward(x); }, inputs);
    CHECK_THROWS_WITH_AS(layer.forward(Tensor::zeros({2, 5})), "Linear: input's last axis must be 4, got shape (2, 5)",
                         std::invalid_argument);
    Linear no_bias(4, 3, rng, false);
    CHECK(no_bias.parameter_count() == 12);
}

TEST_CASE("Embedding: the padding row starts at zero and never learns") {
    Rng rng(3);
    Embedding table(6, 4, rng, /*padding_id=*/0);
    CHECK(table.parameter_count() == 24);
    check_values(reshape(slice(table.weight, 0, 0, 1), {4}), {0, 0, 0, 0});
    const Ids ids({2, 3}, {0, 1, 5, 5, 0, 2});
    CHECK(table.forward(ids).shape() == Shape{2, 3, 4});
    Tape tape;
    {
        Recording on(tape);
        tape.backward(probe(table.forward(ids)));
    }
    check_values(reshape(slice(table.weight.grad(), 0, 0, 1), {4}), {0, 0, 0, 0});
    check_values(reshape(slice(table.weight.grad(), 0, 3, 4), {4}), {0, 0, 0, 0});  // row 3 unused
    CHECK(table.weight.grad().at({5, 0}) != 0);
    table.zero_grad();
    check_grads([&] { return table.forward(Ids({1, 5, 2, 5})); }, tensors_of(table));
    CHECK_THROWS_WITH_AS(Embedding(4, 2, rng, 4), "Embedding: padding id 4 is outside a vocabulary of 4",
                         std::invalid_argument);
}

TEST_CASE("Dropout follows the module's training flag") {
    Dropout drop(0.5);
    Rng rng(4);
    const Tensor x = Tensor::full({1000}, 1);
    std::size_t zeros = 0;
    for (real v : drop.forward(x, rng).values()) zeros += v == 0;
    CHECK(zeros > 400);
    CHECK(zeros < 600);
    drop.eval();
    CHECK(drop.forward(x, rng).same_as(x));
    CHECK(drop.parameter_count() == 0);
    CHECK_THROWS_AS(Dropout(1.0), std::invalid_argument);
}

TEST_CASE("LayerNorm: torch.nn.LayerNorm semantics (biased variance, eps inside the sqrt)") {
    LayerNorm norm(4);
    CHECK(norm.parameter_count() == 8);
    const Tensor x = Tensor::from({2, 4}, {1, 2, 3, 4, -1, 0, 0, 5});
    // row 0: mean 2.5, biased variance 1.25
    const double s0 = std::sqrt(1.25 + 1e-5);
    // row 1: mean 1, deviations -2 -1 -1 4, variance (4+1+1+16)/4 = 5.5
    const double s1 = std::sqrt(5.5 + 1e-5);
    check_values(norm.forward(x), {-1.5 / s0, -0.5 / s0, 0.5 / s0, 1.5 / s0, -2 / s1, -1 / s1, -1 / s1, 4 / s1}, 1e-12);

    Rng rng(5);
    norm.gamma = uniform({4}, 0.5, 1.5, rng).set_requires_grad();
    norm.beta = uniform({4}, -0.5, 0.5, rng).set_requires_grad();
    const Tensor z = param({3, 2, 4}, 6);
    check_every_parameter_learns(norm, [&] { return probe(norm.forward(z)); });
    std::vector<Tensor> inputs = tensors_of(norm);
    inputs.push_back(z);
    check_grads([&] { return norm.forward(z); }, inputs);
    CHECK_THROWS_WITH_AS(norm.forward(Tensor::zeros({2, 3})), "LayerNorm: input's last axis must be 4, got shape (2, 3)",
                         std::invalid_argument);
}

TEST_CASE("RMSNorm: x / sqrt(mean x^2 + eps) * g, gradients in float64") {
    RMSNorm norm(4);
    CHECK(norm.parameter_count() == 4);
    const Tensor x = Tensor::from({2, 4}, {1, 2, 3, 4, -1, 0, 0, 5});
    const double r0 = std::sqrt(30.0 / 4 + 1e-5), r1 = std::sqrt(26.0 / 4 + 1e-5);  // mean squares 7.5 and 6.5
    check_values(norm.forward(x), {1 / r0, 2 / r0, 3 / r0, 4 / r0, -1 / r1, 0, 0, 5 / r1}, 1e-12);
    Rng rng(5);
    norm.gain = uniform({4}, 0.5, 1.5, rng).set_requires_grad();
    const Tensor z = param({3, 2, 4}, 6);
    check_every_parameter_learns(norm, [&] { return probe(norm.forward(z)); });
    std::vector<Tensor> inputs = tensors_of(norm);
    inputs.push_back(z);
    check_grads([&] { return norm.forward(z); }, inputs);
    CHECK_THROWS_WITH_AS(norm.forward(Tensor::zeros({2, 3})), "RMSNorm: input's last axis must be 4, got shape (2, 3)", std::invalid_argument);
}

TEST_CASE("BatchNorm: statistics over the kept positions per feature, running averages for evaluation, buffers") {
    BatchNorm norm(2, real(1e-5), real(0.5));
    CHECK(norm.parameter_count() == 4);  // gamma, beta; the running statistics are buffers, not parameters
    REQUIRE(norm.buffers().size() == 2);
    CHECK(norm.buffers()[0].name == "running_mean");
    CHECK(norm.state().size() == 4);
    // (B=1, T=3, D=2); the last position is padding and must not move the statistics
    const Tensor x = Tensor::from({1, 3, 2}, {1, 10, 3, 20, 100, -100});
    const Tensor padding = Tensor::from({1, 3}, {0, 0, 1});
    // feature 0: kept values 1, 3 -> mean 2, biased variance 1; feature 1: 10, 20 -> mean 15, variance 25
    const double s0 = std::sqrt(1 + 1e-5), s1 = std::sqrt(25 + 1e-5);
    check_values(norm.forward(x, padding), {-1 / s0, -5 / s1, 1 / s0, 5 / s1, 98 / s0, -115 / s1}, 1e-12);
    // running: r = 0.5 r + 0.5 batch; the variance enters unbiased (n / (n - 1) = 2)
    check_values(norm.running_mean, {0.5 * 0 + 0.5 * 2, 0.5 * 0 + 0.5 * 15}, 1e-12);
    check_values(norm.running_var, {0.5 * 1 + 0.5 * 2, 0.5 * 1 + 0.5 * 50}, 1e-12);
    // evaluation uses the running statistics: one position alone gives the same as within a batch
    norm.eval();
    const Tensor one = norm.forward(Tensor::from({1, 1, 2}, {3, 20}));
    check_values(one, {(3 - 1) / std::sqrt(1.5 + 1e-5), (20 - 7.5) / std::sqrt(25.5 + 1e-5)}, 1e-12);
    check_values(norm.running_mean, {1, 7.5}, 1e-12);  // evaluation leaves them alone
    // ... also when asked to normalise with the batch's own statistics, as in training
    norm.batch_statistics_in_evaluation = true;
    check_values(norm.forward(x, padding), {-1 / s0, -5 / s1, 1 / s0, 5 / s1, 98 / s0, -115 / s1}, 1e-12);
    check_values(norm.running_mean, {1, 7.5}, 1e-12);
    norm.batch_statistics_in_evaluation = false;
    norm.train();

    // gradients through the batch statistics, with padding, in float64
    Rng rng(5);
    norm.gamma = uniform({2}, 0.5, 1.5, rng).set_requires_grad();
    norm.beta = uniform({2}, -0.5, 0.5, rng).set_requires_grad();
    const Tensor z = param({3, 4, 2}, 6);
    const Tensor pad = Tensor::from({3, 4}, {0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0});
    check_every_parameter_learns(norm, [&] { return probe(norm.forward(z, pad)); });
    std::vector<Tensor> inputs = tensors_of(norm);
    inputs.push_back(z);
    check_grads([&] { return norm.forward(z, pad); }, inputs);
    CHECK_THROWS_WITH_AS(norm.forward(z, Tensor::full({3, 4}, 1)),
                         "BatchNorm: every position of the batch is padding: no statistics to normalise with", std::invalid_argument);
    CHECK_THROWS_WITH_AS(norm.forward(z, Tensor::zeros({3, 3})),
                         "BatchNorm: padding must have one entry per position (12), got shape (3, 3)", std::invalid_argument);
}

TEST_CASE("layer_norm: the fused op equals the composed one, values and every gradient") {
    Rng rng(9);
    const Tensor x = param({3, 5, 6}, 10);
    const Tensor gamma = uniform({6}, 0.5, 1.5, rng).set_requires_grad(), beta = uniform({6}, -0.5, 0.5, rng).set_requires_grad();
    const Tensor weights = uniform({3, 5, 6}, -1, 1, rng);  // a loss that weighs every output differently
    auto gradients = [&](bool fused) {
        for (Tensor t : {x, gamma, beta}) t.zero_grad();
        Tape tape;
        Recording on(tape);
        Tensor y;
        if (fused) {
            y = layer_norm(x, gamma, beta, real(1e-5));
        } else {  // its readable twin (attn/nn/composed.hpp)
            y = composed_layer_norm(x, gamma, beta, real(1e-5));
        }
        tape.backward(sum(y * weights));
        return std::vector<std::vector<real>>{y.values(), x.grad().values(), gamma.grad().values(), beta.grad().values()};
    };
    const auto fused = gradients(true), plain = gradients(false);
    for (std::size_t i = 0; i < fused.size(); ++i) check_values(Tensor::from({fused[i].size()}, fused[i]), plain[i], 1e-12);
    CHECK_THROWS_WITH_AS(layer_norm(x, Tensor::zeros({5}), beta, real(1e-5)),
                         "layer_norm: needs x (..., D) with gamma and beta (D), got (3, 5, 6), (5) and (6)", std::invalid_argument);
}

TEST_CASE("FeedForward: max(0, x W1 + b1) W2 + b2, count and gradients") {
    Rng rng(7);
    FeedForward ffn(4, 8, rng);
    CHECK(ffn.parameter_count() == (4 * 8 + 8) + (8 * 4 + 4));
    CHECK(ffn.parameters()[2].name == "second.W");
    const Tensor x = param({2, 3, 4}, 8);
    check_every_parameter_learns(ffn, [&] { return probe(ffn.forward(x, rng)); });
    check_grads([&] { return ffn.forward(x, rng); }, tensors_of(ffn));  // dropout 0: deterministic
}

TEST_CASE("FeedForward with GELU (BERT): GELU(x W1 + b1) W2 + b2, values and gradients") {
    Rng rng(7);
    FeedForward ffn(4, 8, rng, 0, Activation::gelu);
    const Tensor x = param({2, 3, 4}, 8);
    // the composed twin: the same weights through gelu by hand
    const Tensor expected = ffn.second.forward(gelu(ffn.first.forward(x)));
    check_values(ffn.forward(x, rng), expected.values(), 1e-12);
    const Tensor relu_output = FeedForward(4, 8, rng).forward(x, rng);
    CHECK(relu_output.shape() == expected.shape());
    check_grads([&] { return ffn.forward(x, rng); }, tensors_of(ffn));  // float64 central differences, default tolerance
}

TEST_CASE("EncoderLayer (attn/nn/transformer.hpp): post-norm and pre-norm, ReLU and GELU, gradients; padding keys ignored") {
    for (bool pre_norm : {false, true}) {
        for (Activation activation : {Activation::relu, Activation::gelu}) {
            CAPTURE(pre_norm);
            Rng rng(3);
            EncoderLayerConfig c;
            c.d_model = 4;
            c.heads = 2;
            c.d_ff = 6;
            c.pre_norm = pre_norm;
            c.activation = activation;
            EncoderLayer layer(c, rng);
            CHECK(layer.parameter_count() == 4 * (4 * 4 + 4) + (4 * 6 + 6) + (6 * 4 + 4) + 2 * (4 + 4));
            const Tensor x = param({2, 3, 4}, 5);
            Tensor padding = Tensor::zeros({2, 3});
            padding.data()[5] = 1;  // the second sequence's last position is padding
            const Tensor key_mask = reshape(padding, {2, 1, 1, 3});
            std::vector<Tensor> inputs = tensors_of(layer);
            inputs.push_back(x);
            check_grads([&] { return layer.forward(x, key_mask, padding, rng); }, inputs);  // float64, default tolerance
            // what a padding key holds does not change any other position's output
            Tensor changed = x.detach();
            for (std::size_t d = 0; d < 4; ++d) changed.data()[(1 * 3 + 2) * 4 + d] += 5;
            const Tensor a = layer.forward(x, key_mask, padding, rng), b = layer.forward(changed, key_mask, padding, rng);
            for (std::size_t i = 0; i < 2 * 3 * 4; ++i) {
                if (i / 4 == 5) continue;  // the padding position itself
                CHECK(a.values()[i] == doctest::Approx(b.values()[i]).epsilon(1e-12));
            }
        }
    }
}

TEST_CASE("sinusoidal positions: sin on even, cos on odd dimensions") {
    const Tensor pe = sinusoidal_positions(50, 6);
    CHECK(pe.shape() == Shape{50, 6});
    for (std::size_t pos : {0, 1, 7, 49}) {
        for (std::size_t i = 0; i < 3; ++i) {
            const double angle = double(pos) / std::pow(10000.0, 2.0 * double(i) / 6.0);
            CHECK(pe.at({pos, 2 * i}) == doctest::Approx(std::sin(angle)).epsilon(1e-12));
            CHECK(pe.at({pos, 2 * i + 1}) == doctest::Approx(std::cos(angle)).epsilon(1e-12));
        }
    }
    CHECK(pe.at({0, 1}) == 1.0);  // cos(0): the common all-sin mistake would give 0
}

TEST_CASE("Module: train/eval reaches every child; zero_grad clears all") {
    Rng rng(9);
    FeedForward ffn(2, 3, rng, 0.5);
    CHECK(ffn.drop.training());
    ffn.eval();
    CHECK_FALSE(ffn.drop.training());
    ffn.train();
    CHECK(ffn.drop.training());
}
