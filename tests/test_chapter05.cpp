// Chapter 5 (Transformer): gradient checks of a layer and of the whole tiny model, causal and
// padding masks, KV-cache decoding equal to full recomputation, learning.
#include <cmath>

#include "../chapters/05_transformer/model.hpp"
#include "check.hpp"
#include "seq2seq_fixtures.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::param;
using attn::test::tensors_of;

namespace {

ch05::Config tiny(bool pre_norm = false, ch05::Normalization norm = ch05::Normalization::layer) {
    ch05::Config c;
    c.d_model = 4;
    c.heads = 2;
    c.d_ff = 6;
    c.layers = 2;
    c.dropout = 0;
    c.label_smoothing = 0.1;
    c.pre_norm = pre_norm;
    c.norm = norm;
    return c;
}

}  // namespace

TEST_CASE("chapter 5: float64 gradient checks of an encoder layer, a decoder layer and the whole model, every normalisation") {
    using N = ch05::Normalization;
    for (const N norm : {N::layer, N::batch, N::rms, N::none}) {
        for (bool pre_norm : {false, true}) {
            CAPTURE(int(norm));
            CAPTURE(pre_norm);
            Rng rng(1);
            const ch05::Config c = tiny(pre_norm, norm);
            EncoderLayer enc(c.layer(), rng);
            ch05::DecoderLayer dec(c, rng);
            const Tensor x = param({2, 3, 4}, 2), memory = param({2, 3, 4}, 3);
            const Tensor padding = padding_mask({3, 2}, 3);  // (2, 3): the second sequence has 2 positions
            const Tensor key_mask = reshape(padding, {2, 1, 1, 3});
            std::vector<Tensor> inputs = tensors_of(enc);
            inputs.push_back(x);
            check_grads([&] { return enc.forward(x, key_mask, padding, rng); }, inputs);
            inputs = tensors_of(dec);
            inputs.push_back(x);
            inputs.push_back(memory);
            check_grads([&] { return dec.forward(x, memory, causal_mask(3), key_mask, padding, rng); }, inputs);

            ch05::Transformer model(7, 6, c, rng);
            const PairBatch batch = test::tiny_batch();
            // Not with BatchNorm: a bias added to every position just before it (the last sublayer's
            // output bias in a pre-norm stack, before the final norm) is cancelled by its mean
            // subtraction, so its gradient is exactly 0 — as Ioffe & Szegedy note, such a bias is redundant.
            if (norm != N::batch) test::check_every_parameter_learns(model, [&] { return model.loss(batch, rng); });
            check_grads([&] { return model.loss(batch, rng); }, tensors_of(model));
        }
    }
    Rng rng(4);
    ch05::Config tied = tiny();
    tied.tie_output = true;
    tied.share_embeddings = true;
    ch05::Transformer model(7, 7, tied, rng);
    CHECK(model.parameters().front().name == "target_embedding.weight");
    check_grads([&] { return model.loss(test::tiny_batch(), rng); }, tensors_of(model));
}

TEST_CASE("chapter 5: no position attends to the future; padding changes nothing") {
    Rng rng(5);
    ch05::Transformer model(7, 6, tiny(), rng);
    model.eval();
    const PaddedBatch source = pad_batch({{4, 5, 6}}, Vocabulary::pad);
    const ch05::Transformer::Encoded e = model.encode(source, rng);
    const Tensor a = model.decode(Ids({1, 4}, {2, 4, 5, 4}), e, rng);
    const Tensor b = model.decode(Ids({1, 4}, {2, 4, 5, 5}), e, rng);  // only the last token differs
    for (std::size_t t = 0; t < 3; ++t)
        for (std::size_t v = 0; v < 6; ++v) CHECK(a.at({0, t, v}) == b.at({0, t, v}));
    bool last_differs = false;
    for (std::size_t v = 0; v < 6; ++v) last_differs = last_differs || a.at({0, 3, v}) != b.at({0, 3, v});
    CHECK(last_differs);
    test::check_padding_invariance(model);  // padded sources (encoder and cross-attention masks)
    // with BatchNorm too: in evaluation its running statistics make every sentence independent of the batch
    ch05::Transformer batch_normed(7, 6, tiny(false, ch05::Normalization::batch), rng);
    batch_normed.loss(test::tiny_batch(), rng);
    batch_normed.eval();
    test::check_padding_invariance(batch_normed);
    // padded targets: a short target inside a batch with a longer one gives the same logits
    const PaddedBatch two = pad_batch({{4, 5, 6}, {4, 5, 6}}, Vocabulary::pad);
    const Tensor batched = model.decode(Ids({2, 4}, {2, 4, 0, 0, 2, 4, 5, 4}), model.encode(two, rng), rng);
    const Tensor alone = model.decode(Ids({1, 2}, {2, 4}), e, rng);
    for (std::size_t t = 0; t < 2; ++t)
        for (std::size_t v = 0; v < 6; ++v) CHECK(std::abs(batched.at({0, t, v}) - alone.at({0, t, v})) < 1e-12);
}

TEST_CASE("chapter 5: decoding with the key/value cache equals recomputing every position, every normalisation") {
    using N = ch05::Normalization;
    for (const std::pair<bool, N>& setting : std::vector<std::pair<bool, N>>{{false, N::layer}, {true, N::layer}, {false, N::batch},
                                                                            {true, N::batch}, {false, N::rms}, {true, N::none}}) {
        const bool pre_norm = setting.first;  // (no structured binding: CAPTURE's lambda may not capture one in C++17)
        const N norm = setting.second;
        CAPTURE(int(norm));
        Rng rng(6);
        ch05::Transformer model(7, 6, tiny(pre_norm, norm), rng);
        model.loss(test::tiny_batch(), rng);  // one training forward: BatchNorm's running statistics move off (0, 1)
        model.eval();
        const PaddedBatch source = pad_batch({{4, 5, 6, 5}, {6, 4}}, Vocabulary::pad);
        const std::vector<std::vector<int>> tokens{{2, 4, 5, 5, 4}, {2, 5, 4, 4, 5}};
        DecoderState state = model.start(source);
        const ch05::Transformer::Encoded e = model.encode(source, rng);
        for (std::size_t t = 0; t < 5; ++t) {
            const Tensor cached = model.step({tokens[0][t], tokens[1][t]}, state);  // (2, V), one position
            std::vector<int> prefix;
            for (std::size_t b = 0; b < 2; ++b) prefix.insert(prefix.end(), tokens[b].begin(), tokens[b].begin() + long(t + 1));
            const Tensor full = log_softmax(model.decode(Ids({2, t + 1}, prefix), e, rng), -1);  // (2, t+1, V)
            for (std::size_t b = 0; b < 2; ++b)
                for (std::size_t v = 0; v < 6; ++v) CHECK(std::abs(cached.at({b, v}) - full.at({b, t, v})) < 1e-12);
        }
    }
}

TEST_CASE("chapter 5: learns a small fixed batch") {
    Rng rng(7);
    ch05::Config c;
    c.d_model = 16;
    c.heads = 2;
    c.d_ff = 32;
    c.layers = 1;
    c.dropout = 0;
    c.label_smoothing = 0;
    ch05::Transformer model(8, 8, c, rng);
    test::check_learning(model, rng, /*steps=*/60, /*factor=*/0.2);
}

TEST_CASE("chapter 5: evaluation mode switches every dropout off") {
    Rng rng(8);
    ch05::Config c = tiny();
    c.dropout = 0.5;
    ch05::Transformer model(7, 6, c, rng);
    test::check_eval_switches_off_dropout(model);
}
