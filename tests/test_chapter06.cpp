// Chapter 6 (BERT): the input format, masking's proportions, gradient checks (float64) of the
// encoder with its segment and position embeddings, the tied MLM head, the MLM loss over chosen
// positions only, NSP, the classifier with either pooling; padding never changes an answer;
// freezing; copying a pretrained encoder; shape errors.
#include <algorithm>
#include <cmath>

#include "../chapters/06_bert/model.hpp"
#include "../chapters/06_bert/verses.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::check_values;
using attn::test::param;
using attn::test::tensors_of;

namespace {

ch06::Config tiny() {
    ch06::Config c;
    c.d_model = 4;
    c.heads = 2;
    c.d_ff = 6;
    c.layers = 2;
    c.max_positions = 12;
    c.dropout = 0;  // deterministic forward passes for the gradient checks
    return c;
}

constexpr std::size_t V = 12;  // five specials and seven pieces

/// Two inputs: [CLS] 5 6 7 [SEP] 8 9 [SEP] and the shorter [CLS] 10 11 [SEP], padded.
ch06::Batch two_inputs() {
    return ch06::pad({ch06::make_sequence({5, 6, 7}, {8, 9}, 12), ch06::make_sequence({10, 11}, {}, 12)});
}

}  // namespace

TEST_CASE("chapter 6: [CLS] A [SEP] B [SEP], segments, truncation from the longer segment, padding") {
    const ch06::Sequence s = ch06::make_sequence({5, 6, 7}, {8, 9}, 12);
    CHECK(s.tokens == std::vector<int>{WordPiece::cls, 5, 6, 7, WordPiece::sep, 8, 9, WordPiece::sep});
    CHECK(s.segments == std::vector<int>{0, 0, 0, 0, 0, 1, 1, 1});
    const ch06::Sequence cut = ch06::make_sequence({5, 6, 7, 8, 9}, {10, 11}, 7);  // 7 + 3 specials > 7: A loses 3
    CHECK(cut.tokens == std::vector<int>{WordPiece::cls, 5, 6, WordPiece::sep, 10, 11, WordPiece::sep});
    CHECK(ch06::make_sequence({5}, {}, 4).tokens == std::vector<int>{WordPiece::cls, 5, WordPiece::sep});
    CHECK_THROWS_WITH_AS(ch06::make_sequence({5}, {6}, 3), "make_sequence: max_length 3 leaves no room for text", std::invalid_argument);
    const ch06::Batch b = two_inputs();
    CHECK(b.tokens.shape == Shape{2, 8});
    CHECK(b.lengths == std::vector<std::size_t>{8, 4});
    check_values(b.padding, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1});
    CHECK(b.tokens.values[12] == WordPiece::pad);
}

TEST_CASE("chapter 6: masking chooses 15% of the non-special pieces, and corrupts them 80/10/10") {
    Rng rng(5);
    const ch06::MaskingOptions o;  // 0.15, 0.8, 0.1
    std::vector<int> tokens{WordPiece::cls};
    for (int i = 0; i < 40; ++i) tokens.push_back(5 + i % 20);
    tokens.push_back(WordPiece::sep);
    double masked = 0, random = 0, kept = 0, chosen = 0;
    for (int trial = 0; trial < 2000; ++trial) {
        const ch06::Masked m = ch06::mask_tokens(tokens, o, 100, rng);
        REQUIRE(m.positions.size() == 6);  // round(0.15 * 40)
        for (std::size_t k = 0; k < m.positions.size(); ++k) {
            const std::size_t p = m.positions[k];
            REQUIRE(p >= 1);
            REQUIRE(p <= 40);  // never [CLS] or [SEP]
            REQUIRE(m.targets[k] == tokens[p]);
            if (m.tokens[p] == WordPiece::mask) {
                masked += 1;
            } else if (m.tokens[p] == tokens[p]) {
                kept += 1;  // (a random draw equal to the original counts here: 1 in 95)
            } else {
                REQUIRE(m.tokens[p] >= int(WordPiece::specials));  // never a special as the random piece
                random += 1;
            }
            chosen += 1;
        }
        for (std::size_t i = 0; i < tokens.size(); ++i) {  // untouched where not chosen
            if (std::find(m.positions.begin(), m.positions.end(), i) == m.positions.end()) REQUIRE(m.tokens[i] == tokens[i]);
        }
    }
    // 12,000 choices: the binomial standard deviation of a share near 0.1 is 0.003; 0.015 is 5 of them
    CHECK(masked / chosen == doctest::Approx(0.8).epsilon(0.02));
    CHECK(random / chosen == doctest::Approx(0.1 * 94.0 / 95.0).epsilon(0.15));
    CHECK(kept / chosen == doctest::Approx(0.1 + 0.1 / 95.0).epsilon(0.15));
    // every position is chosen about equally often: no position bias in the draw
    ch06::MaskingOptions all_mask;
    all_mask.rate = 1;
    all_mask.replace_mask = 1;
    all_mask.replace_random = 0;
    const ch06::Masked every = ch06::mask_tokens({WordPiece::cls, 7, 8, WordPiece::sep}, all_mask, 100, rng);
    CHECK(every.tokens == std::vector<int>{WordPiece::cls, WordPiece::mask, WordPiece::mask, WordPiece::sep});
    CHECK(every.targets == std::vector<int>{7, 8});
    CHECK(ch06::mask_tokens({WordPiece::cls, 5, WordPiece::sep}, o, 100, rng).positions.size() == 1);  // at least one
    CHECK(ch06::mask_tokens({WordPiece::cls, WordPiece::sep}, o, 100, rng).positions.empty());         // nothing to choose
    ch06::MaskingOptions bad;
    bad.replace_mask = 0.95;
    CHECK_THROWS_AS(ch06::mask_tokens(tokens, bad, 100, rng), std::invalid_argument);
}

TEST_CASE("chapter 6: the encoder — token + segment + position embeddings — gradients, and padding changes nothing") {
    Rng rng(1);
    ch06::Encoder encoder(V, tiny(), rng);
    const ch06::Batch batch = two_inputs();
    // Only real positions: what the model computes at a padding position is never read, and the [PAD]
    // row gets no gradient by design (torch's padding_idx), so it would differ from the numeric one there.
    const Tensor real_positions = reshape(1 - batch.padding, {2, 8, 1});
    const auto states = [&] { return encoder.forward(batch, rng) * real_positions; };
    check_grads(states, tensors_of(encoder));  // float64, default tolerance
    test::check_every_parameter_learns(encoder, [&] { return test::probe(states()); });
    // the second input alone gives the same hidden states as inside the padded batch
    const Tensor together = encoder.forward(batch, rng), alone = encoder.forward(ch06::pad({ch06::make_sequence({10, 11}, {}, 12)}), rng);
    for (std::size_t t = 0; t < 4; ++t)
        for (std::size_t d = 0; d < 4; ++d) CHECK(together.at({1, t, d}) == doctest::Approx(alone.at({0, t, d})).epsilon(1e-12));
    // segments matter: the same pieces as segment A only give other states
    ch06::Batch one_segment = batch;
    std::fill(one_segment.segments.values.begin(), one_segment.segments.values.end(), 0);
    CHECK(std::abs(encoder.forward(one_segment, rng).at({0, 6, 0}) - together.at({0, 6, 0})) > 1e-6);
    const ch06::Batch too_long = ch06::pad({ch06::make_sequence({5, 6, 7, 8, 9, 10, 11, 5, 6, 7, 8}, {}, 13)});
    CHECK_THROWS_WITH_AS(encoder.forward(too_long, rng), "BERT: a sequence of 13 pieces is longer than max_positions 12", std::invalid_argument);
}

TEST_CASE("chapter 6: the MLM head is tied to the token embeddings, values and gradients") {
    Rng rng(2);
    ch06::Pretraining model(V, tiny(), true, rng);
    // tied: the head has no output matrix of its own; the logits are z E^T + b
    CHECK(model.mlm.parameters().size() == 5);  // transform W and b, LayerNorm gamma and beta, the bias: no (H, V) matrix
    const Tensor z = param({3, 4}, 9);
    const Tensor twin = matmul(model.mlm.norm.forward(gelu(model.mlm.transform.forward(z))), model.encoder.token_embedding.weight,
                               Trans::no, Trans::yes) + model.mlm.bias;
    const Tensor logits = model.mlm.forward(z);
    CHECK(logits.shape() == Shape{3, V});
    check_values(logits, twin.values(), 1e-12);
    std::vector<Tensor> inputs = tensors_of(model.mlm);
    inputs.push_back(model.encoder.token_embedding.weight);  // the tied table gets its gradient through the head
    inputs.push_back(z);
    check_grads([&] { return model.mlm.forward(z); }, inputs);  // float64, default tolerance
}

TEST_CASE("chapter 6: the MLM loss covers the chosen positions only; with NSP, every parameter learns") {
    Rng rng(2);
    ch06::Pretraining model(V, tiny(), true, rng);

    ch06::PretrainingBatch batch;
    batch.input = two_inputs();
    batch.input.tokens.values[2] = WordPiece::mask;  // the first input's second piece is hidden
    batch.chosen = Ids({2, 5, 9});                   // flat positions b * T + t (T = 8)
    batch.targets = Ids({6, 8, 10});
    batch.is_next = Ids({1, 0});
    const auto losses = [&] {
        const ch06::Pretraining::Losses l = model.forward(batch, rng);
        return l.mlm + l.nsp;
    };
    check_grads(losses, tensors_of(model));  // the embedding gets gradient from the input and from the tied head
    test::check_every_parameter_learns(model, losses);

    // the composed twin of the masked loss: every position's logits, then only the chosen rows
    const Tensor h = model.encoder.forward(batch.input, rng);  // (2, 8, 4)
    const Tensor every = model.mlm.forward(reshape(h, {16, 4}));  // (16, V)
    const Tensor expected = cross_entropy(index_select(every, 0, batch.chosen), batch.targets);
    CHECK(model.forward(batch, rng).mlm.item() == doctest::Approx(expected.item()).epsilon(1e-12));
    // what is at a position that was not chosen does not enter the loss as a target
    ch06::PretrainingBatch other = batch;
    other.targets = Ids({6, 8, 11});
    CHECK(model.forward(other, rng).mlm.item() != doctest::Approx(model.forward(batch, rng).mlm.item()));
}

TEST_CASE("chapter 6: the classifier — [CLS] or mean pooling — gradients; padding ignored; frozen encoder; copying") {
    for (ch06::Pooling pooling : {ch06::Pooling::cls, ch06::Pooling::mean}) {
        Rng rng(3);
        ch06::Classifier model(V, 3, tiny(), pooling, rng);
        const ch06::Batch batch = two_inputs();
        const Ids labels({2, 0});
        check_grads([&] { return cross_entropy(model.forward(batch, rng), labels); }, tensors_of(model));
        const Tensor together = model.forward(batch, rng), alone = model.forward(ch06::pad({ch06::make_sequence({10, 11}, {}, 12)}), rng);
        for (std::size_t c = 0; c < 3; ++c) CHECK(together.at({1, c}) == doctest::Approx(alone.at({0, c})).epsilon(1e-12));
        const std::size_t all = model.parameters().size();
        model.frozen = true;
        CHECK(model.parameters().size() == 2);  // output.W, output.b
        CHECK(all > 2);
        check_values(model.forward(batch, rng), together.values(), 1e-12);  // the same answer, off the tape
    }
    Rng rng(4);
    ch06::Pretraining pretrained(V, tiny(), false, rng);
    ch06::Classifier fresh(V, 3, tiny(), ch06::Pooling::mean, rng);
    ch06::copy_encoder(pretrained.encoder, fresh.encoder);
    const ch06::Batch batch = two_inputs();
    check_values(fresh.encoder.forward(batch, rng), pretrained.encoder.forward(batch, rng).values(), 0);
    ch06::Config wider = tiny();
    wider.d_model = 6;
    ch06::Classifier other(V, 3, wider, ch06::Pooling::mean, rng);
    CHECK_THROWS_AS(ch06::copy_encoder(pretrained.encoder, other.encoder), std::invalid_argument);
}

TEST_CASE("chapter 6: the shipped verses, their sections, and a split by chapter that pretraining never crosses") {
    CHECK(ch06::section_of("Genesis") == 0);
    CHECK(ch06::section_of("Esther") == 1);
    CHECK(ch06::section_of("Song of Solomon") == 2);
    CHECK(ch06::section_of("Malachi") == 3);
    CHECK(ch06::section_of("Acts") == 4);
    CHECK(ch06::section_of("Jude") == 5);
    CHECK(ch06::section_of("Revelation of John") == 6);
    CHECK(ch06::section_of("Hezekiah") == -1);
    const ch06::Corpus c = ch06::load_corpus(std::string(ATTN_SOURCE_ROOT) + "/datasets/bible");
    CHECK(c.train.size() == 10697);
    CHECK(c.valid.size() == 1336);
    CHECK(c.test.size() == 1079);
    std::vector<int> test_sections(7, 0);
    for (const ch06::Verse& v : c.train) REQUIRE((v.chapter % 10 != 0 && v.chapter % 10 != 5));
    for (const ch06::Verse& v : c.valid) REQUIRE(v.chapter % 10 == 5);
    for (const ch06::Verse& v : c.test) {
        REQUIRE(v.chapter % 10 == 0);
        ++test_sections[std::size_t(v.section)];
    }
    for (int count : test_sections) CHECK(count > 0);  // every section is tested
    CHECK(c.train.front().reference == "Genesis 2:1");
    CHECK(c.train.front().words.front() == "the");
    // --fill's reading: words as the corpus, [MASK] kept whole
    const WordPiece vocabulary = WordPiece::parse(WordPiece().text() + "g\n##o\n##d\ngo\ngod\n.\n", "test");
    CHECK(ch06::encode_with_masks("God [MASK].", vocabulary) ==
          std::vector<int>{vocabulary.id("god"), WordPiece::mask, vocabulary.id(".")});
}
