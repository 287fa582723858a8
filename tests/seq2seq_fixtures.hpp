// Shared fixtures for the seq2seq chapter tests: tiny batches, padding invariance, learning checks.
#pragma once

#include <cmath>

#include "attn/seq2seq/evaluation.hpp"
#include "check.hpp"

namespace attn::test {

/// Two sentence pairs over token ids 4..6 (target 4..5); source lengths 3 and 1, target lengths 2 and 3.
inline PairBatch tiny_batch() {
    PairBatch b;
    b.source = pad_batch({{4, 5, 6}, {6}}, Vocabulary::pad);
    b.target_in = pad_batch({{Vocabulary::bos, 4, 5}, {Vocabulary::bos, 5, 5, 4}}, Vocabulary::pad).ids;
    b.target_out = pad_batch({{4, 5, Vocabulary::eos}, {5, 5, 4, Vocabulary::eos}}, Vocabulary::pad).ids;
    b.target_lengths = {3, 4};
    b.target_tokens = 7;
    return b;
}

/// Log-probabilities of a few forced steps: batched vs. one sentence at a time must agree.
inline void check_padding_invariance(Seq2SeqModel& model) {
    model.eval();
    const std::vector<std::vector<int>> sources{{4, 5, 6, 5}, {6}, {5, 4}};
    const std::vector<std::vector<int>> forced{{Vocabulary::bos, 4, 5}, {Vocabulary::bos, 5, 4}, {Vocabulary::bos, 4, 4}};
    DecoderState together = model.start(pad_batch(sources, Vocabulary::pad));
    std::vector<Tensor> together_steps;
    for (std::size_t t = 0; t < 3; ++t) together_steps.push_back(model.step({forced[0][t], forced[1][t], forced[2][t]}, together));
    for (std::size_t n = 0; n < sources.size(); ++n) {
        DecoderState alone = model.start(pad_batch({sources[n]}, Vocabulary::pad));
        for (std::size_t t = 0; t < 3; ++t) {
            const Tensor logp = model.step({forced[n][t]}, alone);
            const Tensor row = slice(together_steps[t], 0, n, n + 1);
            for (std::size_t v = 0; v < logp.size(); ++v) CHECK(std::abs(logp.data()[v] - row.data()[v]) < 1e-12);
        }
    }
    model.train();
}

/// Adam on one fixed batch: the loss must fall below factor * initial within `steps` steps.
inline void check_learning(Seq2SeqModel& model, Rng& rng, int steps, double factor) {
    const PairBatch batch = make_pair_batch({{4, 5, 6, 7}, {7, 6}, {5, 5, 4}}, {{7, 6, 5, 4}, {6, 7}, {4, 5, 5}});
    Trainer trainer(model, plain_adam(0.01));
    double first = 0, last = 0;
    for (int step = 0; step < steps; ++step) (step == 0 ? first : last) = trainer.step([&] { return model.loss(batch, rng); });
    INFO("loss " << first << " -> " << last);
    CHECK(last < factor * first);
}

/// Trains on random copy sequences (ids 4..8, lengths 2..5) for `steps` batches, then greedily
/// decodes 20 fresh sequences; returns the share copied exactly.
inline double copy_accuracy_after_training(Seq2SeqModel& model, Rng& rng, int steps) {
    auto sample = [&](std::size_t n) {
        std::vector<Seq2SeqExample> out;
        for (std::size_t i = 0; i < n; ++i) {
            Tokens s(2 + rng.below(4));
            for (std::string& t : s) t = std::string(1, char('a' + rng.below(5)));
            out.push_back({s, s, {}, {}});
        }
        return out;
    };
    Seq2SeqData data;
    data.train = sample(32);
    data.source_vocabulary = Vocabulary::build({{"a", "b", "c", "d", "e"}});
    data.target_vocabulary = data.source_vocabulary;
    Trainer trainer(model, plain_adam(0.01));
    for (int step = 0; step < steps; ++step) {
        data.train = sample(32);
        std::vector<std::size_t> all(32);
        for (std::size_t i = 0; i < 32; ++i) all[i] = i;
        const PairBatch batch = make_pair_batch(data.train, all, data.source_vocabulary, data.target_vocabulary);
        trainer.step([&] { return model.loss(batch, rng); });
    }
    const std::vector<Seq2SeqExample> test = sample(20);
    return evaluate(model, test, data).exact_match;
}

}  // namespace attn::test

namespace attn::test {

/// In evaluation mode a model with dropout must be deterministic: two different random streams
/// give the same loss (every Dropout is reached by eval()).
inline void check_eval_switches_off_dropout(Seq2SeqModel& model) {
    const PairBatch batch = tiny_batch();
    model.eval();
    Rng a(1), b(2);
    CHECK(model.loss(batch, a).item() == model.loss(batch, b).item());
    model.train();
    Rng c(1), d(2);
    CHECK(model.loss(batch, c).item() != model.loss(batch, d).item());  // and active in training
}

}  // namespace attn::test
