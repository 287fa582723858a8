// Chapter 1 (RNN encoder-decoder): whole-model gradient checks (GRU and LSTM), padding invariance,
// learning.
#include "../chapters/01_seq2seq/model.hpp"
#include "check.hpp"
#include "seq2seq_fixtures.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::tensors_of;

TEST_CASE("chapter 1: parameter count and a float64 gradient check of the whole model, GRU and LSTM") {
    for (CellType cell : {CellType::gru, CellType::lstm}) {
        CAPTURE(int(cell));
        Rng rng(1);
        ch01::EncoderDecoder model(7, 6, {3, 4, cell, 0}, rng);
        const std::size_t gates = cell == CellType::gru ? 3 : 4;
        // embeddings 7x3 + 6x3; encoder cell(3 -> 4); W_s 4x4+4; decoder cell(3+4 -> 4); output 8x6+6
        const std::size_t encoder = gates * (3 * 4 + 4 * 4 + 4 + 4), decoder = gates * (7 * 4 + 4 * 4 + 4 + 4);
        CHECK(model.parameter_count() == 21 + 18 + encoder + 20 + decoder + 54);
        const PairBatch batch = test::tiny_batch();
        test::check_every_parameter_learns(model, [&] { return model.loss(batch, rng); });
        check_grads([&] { return model.loss(batch, rng); }, tensors_of(model));
    }
}

TEST_CASE("chapter 1: a padded batch gives the same outputs as each sentence alone") {
    Rng rng(3);
    ch01::EncoderDecoder gru(7, 6, {3, 4, CellType::gru, 0}, rng);
    test::check_padding_invariance(gru);
    ch01::EncoderDecoder lstm(7, 6, {3, 4, CellType::lstm, 0}, rng);
    test::check_padding_invariance(lstm);
}

TEST_CASE("chapter 1: learns — the loss falls on a fixed batch") {
    Rng rng(4);
    ch01::EncoderDecoder model(8, 8, {8, 32, CellType::gru, 0}, rng);
    test::check_learning(model, rng, /*steps=*/60, /*factor=*/0.2);
}

// (apart from the test above: that one needs only the loss, this one greedy decoding too)
TEST_CASE("chapter 1: greedy copying of short sequences becomes exact after training") {
    Rng copy_rng(5);
    ch01::EncoderDecoder copier(9, 9, {8, 32, CellType::gru, 0}, copy_rng);
    CHECK(test::copy_accuracy_after_training(copier, copy_rng, 300) == 1.0);
}

TEST_CASE("evaluation mode switches every dropout off") {
    Rng rng(9);
    ch01::EncoderDecoder model(7, 6, {3, 4, CellType::gru, real(0.5)}, rng);
    test::check_eval_switches_off_dropout(model);
}
