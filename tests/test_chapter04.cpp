// Chapter 4 (hierarchical attention): whole-model gradient check, masks at both levels (empty
// sentences, one-sentence documents), pad invariance at both levels, learning.
#include <cmath>

#include "../chapters/04_han/model.hpp"
#include "attn/train/optim.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::tensors_of;
using ch04::Document;

namespace {

ch04::Config tiny(bool attention = true) {
    ch04::Config c;
    c.embedding = 3;
    c.word_hidden = 3;
    c.sentence_hidden = 3;
    c.attention = 4;
    c.attention_pooling = attention;
    return c;
}

/// Three documents: ragged sentences, an empty sentence, a one-sentence document.
std::vector<Document> documents() {
    return {
        {{{4, 5, 6}, {7}, {5, 5, 8, 4}}, 0},
        {{{6, 7}}, 1},                      // one sentence
        {{{8, 4}, {}, {5, 6, 7}}, 2},       // an empty sentence in the middle
    };
}

std::vector<std::size_t> all(std::size_t n) {
    std::vector<std::size_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = i;
    return v;
}

}  // namespace

TEST_CASE("chapter 4: make_batch pads sentences and words, sentence b*S + i is sentence i of document b") {
    const std::vector<Document> docs = documents();
    const ch04::DocumentBatch batch = ch04::make_batch(docs, {2, 1});  // documents 2 and 1, in that order
    CHECK(batch.B == 2);
    CHECK(batch.S == 3);  // the longest document: 3 sentences
    CHECK(batch.T == 3);  // the longest sentence of these two documents: 3 words
    CHECK(batch.words.shape == Shape{6, 3});
    const int p = Vocabulary::pad;
    CHECK(batch.words.values == std::vector<int>{8, 4, p, p, p, p, 5, 6, 7,    // document 2: an empty sentence in the middle
                                                 6, 7, p, p, p, p, p, p, p});  // document 1: one sentence, two padding ones
    CHECK(batch.words_per_sentence == std::vector<int>{2, 0, 3, 2, 0, 0});
    CHECK(batch.sentences_per_doc == std::vector<int>{3, 1});
    const ch04::DocumentBatch empty = ch04::make_batch({{{}, 0}}, {0});  // a document with no sentence: still (1, 1)
    CHECK(empty.S == 1);
    CHECK(empty.T == 1);
    CHECK(empty.words.values == std::vector<int>{p});
}

TEST_CASE("chapter 4: parameter count and a float64 gradient check of the whole model") {
    Rng rng(1);
    ch04::Han han(9, 3, tiny(), rng);
    // embedding 9x3; word BiGRU 2 x 3(3x3+3x3+3+3); word attention 6x4+4 + u 4; sentence BiGRU 2 x 3(6x3+3x3+3+3); sentence attention 6x4+4+4; classifier 6x3+3
    CHECK(han.parameter_count() == 27 + 2 * 3 * 24 + (24 + 4 + 4) + 2 * 3 * 33 + (24 + 4 + 4) + 21);
    const std::vector<Document> docs = documents();
    const ch04::DocumentBatch batch = ch04::make_batch(docs, all(3));
    const Ids labels({0, 1, 2});
    test::check_every_parameter_learns(han, [&] { return han.loss(batch, labels, rng); });
    check_grads([&] { return han.loss(batch, labels, rng); }, tensors_of(han));
}

TEST_CASE("chapter 4: a float64 gradient check of the mean-pooling baseline") {
    Rng rng(1);
    const std::vector<Document> docs = documents();
    const ch04::DocumentBatch batch = ch04::make_batch(docs, all(3));
    const Ids labels({0, 1, 2});
    ch04::Han mean(9, 3, tiny(false), rng);
    check_grads([&] { return mean.loss(batch, labels, rng); }, tensors_of(mean));
}

TEST_CASE("chapter 4: weights sum to 1 over real words and sentences, are 0 on padding, and never NaN") {
    Rng rng(2);
    ch04::Han han(9, 3, tiny(), rng);
    const std::vector<Document> docs = documents();
    const ch04::DocumentBatch batch = ch04::make_batch(docs, all(3));  // S = 3, T = 4
    const ch04::Han::Output out = han.forward(batch, rng);
    for (real v : out.logits.values()) CHECK(std::isfinite(v));
    for (std::size_t b = 0; b < 3; ++b) {
        double sentence_total = 0;
        for (std::size_t i = 0; i < 3; ++i) {
            const double w = out.sentence_weights.at({b, i});
            if (i >= docs[b].sentences.size()) CHECK(w == 0);  // padding sentence
            sentence_total += w;
            const std::size_t words = i < docs[b].sentences.size() ? docs[b].sentences[i].size() : 0;
            double word_total = 0;
            for (std::size_t t = 0; t < 4; ++t) {
                const double a = out.word_weights.at({b * 3 + i, t});
                CHECK(std::isfinite(a));
                if (t >= words) CHECK(a == 0);  // padding word (and every word slot of an empty sentence)
                word_total += a;
            }
            CHECK(word_total == doctest::Approx(words > 0 ? 1.0 : 0.0).epsilon(1e-12));
        }
        CHECK(sentence_total == doctest::Approx(1.0).epsilon(1e-12));
    }
}

TEST_CASE("chapter 4: padding changes nothing, at the word and at the sentence level") {
    Rng rng(3);
    ch04::Han han(9, 3, tiny(), rng);
    han.eval();
    const std::vector<Document> docs = documents();
    const ch04::Han::Output together = han.forward(ch04::make_batch(docs, all(3)), rng);
    for (std::size_t d = 0; d < 3; ++d) {
        const ch04::Han::Output alone = han.forward(ch04::make_batch(docs, {d}), rng);  // padded only to itself
        for (std::size_t c = 0; c < 3; ++c) CHECK(std::abs(alone.logits.at({0, c}) - together.logits.at({d, c})) < 1e-12);
        for (std::size_t i = 0; i < docs[d].sentences.size(); ++i) {
            CHECK(std::abs(alone.sentence_weights.at({0, i}) - together.sentence_weights.at({d, i})) < 1e-12);
        }
    }
}

TEST_CASE("chapter 4: learns a small fixed batch") {
    Rng rng(4);
    ch04::Config config;
    config.embedding = 8;
    config.word_hidden = config.sentence_hidden = 8;
    config.attention = 8;
    ch04::Han han(9, 3, config, rng);
    const std::vector<Document> docs = documents();
    const ch04::DocumentBatch batch = ch04::make_batch(docs, all(3));
    const Ids labels({0, 1, 2});
    Trainer trainer(han, test::plain_adam(0.01));
    double first = 0, last = 0;
    for (int step = 0; step < 60; ++step) (step == 0 ? first : last) = trainer.step([&] { return han.loss(batch, labels, rng); });
    INFO("loss " << first << " -> " << last);
    CHECK(last < 0.1 * first);
}

TEST_CASE("chapter 4: evaluation mode switches every dropout off") {
    Rng rng(5);
    ch04::Config c = tiny();
    c.dropout = 0.5;
    ch04::Han han(9, 3, c, rng);
    const std::vector<Document> docs = documents();
    const ch04::DocumentBatch batch = ch04::make_batch(docs, all(3));
    han.eval();
    Rng a(1), b(2);
    CHECK(han.forward(batch, a).logits.values() == han.forward(batch, b).logits.values());
    han.train();
    Rng c1(1), c2(2);
    CHECK(han.forward(batch, c1).logits.values() != han.forward(batch, c2).logits.values());
}
