// Chapter 2 (Bahdanau attention): whole-model gradient check, attention masking, padding
// invariance, learning.
#include <cmath>

#include "../chapters/02_bahdanau/model.hpp"
#include "attn/seq2seq/evaluation.hpp"
#include "check.hpp"
#include "seq2seq_fixtures.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::tensors_of;

TEST_CASE("chapter 2: parameter count and a float64 gradient check of the whole model") {
    Rng rng(1);
    ch02::Bahdanau model(7, 6, {3, 4, 3, 0}, rng);
    // embeddings 7x3 + 6x3; encoder 2 x GRU(3->4); W_s 4x4+4; alignment 4x3 + 8x3 + 3; decoder GRU(3+8 -> 4); output 12x6+6
    const std::size_t gru_encoder = 3 * (3 * 4 + 4 * 4 + 4 + 4), gru_decoder = 3 * (11 * 4 + 4 * 4 + 4 + 4);
    CHECK(model.parameter_count() == 21 + 18 + 2 * gru_encoder + 20 + (12 + 24 + 3) + gru_decoder + 78);
    const PairBatch batch = test::tiny_batch();
    test::check_every_parameter_learns(model, [&] { return model.loss(batch, rng); });
    check_grads([&] { return model.loss(batch, rng); }, tensors_of(model));
}

TEST_CASE("chapter 2: attention sums to 1 over real source positions and is exactly 0 on padding") {
    Rng rng(2);
    ch02::Bahdanau model(7, 6, {3, 4, 3, 0}, rng);
    const PairBatch batch = test::tiny_batch();  // source lengths 3 and 1, padded to 3
    DecoderState state = model.start(batch.source);
    for (int t = 0; t < 3; ++t) {
        model.step({Vocabulary::bos, 4}, state);
        const Tensor alpha = model.last_attention(state);  // (2, 3)
        CHECK(std::abs(alpha.at({0, 0}) + alpha.at({0, 1}) + alpha.at({0, 2}) - 1) < 1e-12);
        CHECK(alpha.at({1, 0}) == doctest::Approx(1.0).epsilon(1e-12));  // the only real position
        CHECK(alpha.at({1, 1}) == 0.0);
        CHECK(alpha.at({1, 2}) == 0.0);
    }
}

TEST_CASE("chapter 2: a padded batch gives the same outputs as each sentence alone") {
    Rng rng(3);
    ch02::Bahdanau model(7, 6, {3, 4, 3, 0}, rng);
    test::check_padding_invariance(model);
}

TEST_CASE("chapter 2: learns — the loss falls on a fixed batch, and greedy copying becomes exact") {
    Rng rng(4);
    ch02::Bahdanau model(8, 8, {8, 16, 16, 0}, rng);
    test::check_learning(model, rng, /*steps=*/60, /*factor=*/0.2);
    Rng copy_rng(5);
    ch02::Bahdanau copier(9, 9, {8, 16, 16, 0}, copy_rng);
    CHECK(test::copy_accuracy_after_training(copier, copy_rng, 300) == 1.0);
}

TEST_CASE("evaluation mode switches every dropout off") {
    Rng rng(9);
    ch02::Bahdanau model(7, 6, {3, 4, 3, real(0.5)}, rng);
    test::check_eval_switches_off_dropout(model);
}

TEST_CASE("reading a reference: log p(reference) is the training loss, attention a row per token, dropout off") {
    Rng rng(11);
    ch02::Bahdanau model(8, 8, {4, 6, 5, real(0.5)}, rng);  // dropout: reading must switch it off
    Seq2SeqData data;
    data.source_vocabulary = Vocabulary::build({{"a", "b", "c", "d"}});
    data.target_vocabulary = data.source_vocabulary;
    const std::vector<Seq2SeqExample> examples = {{{"a", "b", "c"}, {"c", "b"}, {}, {}},
                                                  {{"d"}, {"a", "a", "d", "zebra"}, {}, {}},  // zebra: read as <unk>
                                                  {{"b", "d"}, {"b"}, {}, {}}};
    const std::vector<Translation> read = read_references(model, examples, data);  // batched, model in training mode
    REQUIRE(read.size() == 3);
    CHECK(model.training());  // left as it was
    model.eval();
    for (std::size_t i = 0; i < examples.size(); ++i) {
        const Seq2SeqExample& e = examples[i];
        CHECK(read[i].output == e.target);
        // alone, through the training loss: mean cross-entropy over the T + 1 tokens (with <eos>)
        const PairBatch alone = make_pair_batch(examples, {i}, data.source_vocabulary, data.target_vocabulary);
        const double loss = double(model.loss(alone, rng).item());
        CHECK(read[i].log_probability == doctest::Approx(-loss * double(e.target.size() + 1)).epsilon(1e-10));
        REQUIRE(read[i].attention.size() == e.target.size() + 1);
        for (const std::vector<double>& row : read[i].attention) {
            REQUIRE(row.size() == e.source.size());
            double sum = 0;
            for (double w : row) sum += w;
            CHECK(sum == doctest::Approx(1.0).epsilon(1e-12));
        }
    }
}
