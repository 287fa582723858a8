// Metrics against published and hand-computed values.
#include <cmath>

#include "attn/data/text.hpp"
#include "attn/support/metrics.hpp"
#include "check.hpp"

using namespace attn;

namespace {
Tokens words(const std::string& s) { return split_words(s, false); }
}  // namespace

TEST_CASE("BLEU: Papineni et al.'s clipped unigram example") {
    // "the the the the the the the" against "The cat is on the mat" / "There is a cat on the mat":
    // modified unigram precision 2/7 (paper, section 2.1).
    const BleuScore s = corpus_bleu({words("the the the the the the the")},
                                    std::vector<std::vector<Tokens>>{{words("the cat is on the mat"), words("there is a cat on the mat")}});
    CHECK(s.precisions[0] == doctest::Approx(2.0 / 7.0).epsilon(1e-12));
    CHECK(s.bleu == 0.0);  // no matching bigram: unsmoothed BLEU is 0
}

TEST_CASE("BLEU: NLTK's documented sentence and corpus examples") {
    const Tokens hyp1 = words("It is a guide to action which ensures that the military always obeys the commands of the party");
    const Tokens ref1a = words("It is a guide to action that ensures that the military will forever heed Party commands");
    const Tokens ref1b = words("It is the guiding principle which guarantees the military forces always being under the command of the Party");
    const Tokens ref1c = words("It is the practical guide for the army always to heed the directions of the party");
    const Tokens hyp2 = words("he read the book because he was interested in world history");
    const Tokens ref2a = words("he was interested in world history because he read the book");
    // nltk.translate.bleu_score documentation: sentence_bleu -> 0.5045666840058485,
    // corpus_bleu -> 0.5920778868801042
    CHECK(corpus_bleu({hyp1}, std::vector<std::vector<Tokens>>{{ref1a, ref1b, ref1c}}).bleu ==
          doctest::Approx(0.5045666840058485).epsilon(1e-12));
    const BleuScore corpus = corpus_bleu({hyp1, hyp2}, std::vector<std::vector<Tokens>>{{ref1a, ref1b, ref1c}, {ref2a}});
    CHECK(corpus.bleu == doctest::Approx(0.5920778868801042).epsilon(1e-12));
    CHECK(corpus.brevity_penalty == 1.0);
}

TEST_CASE("BLEU: brevity penalty and the perfect score") {
    const Tokens ref = words("a b c d e f g h");
    CHECK(corpus_bleu({ref}, {ref}).bleu == doctest::Approx(1.0));
    const BleuScore short_hyp = corpus_bleu({words("a b c d e f")}, {ref});
    CHECK(short_hyp.brevity_penalty == doctest::Approx(std::exp(1 - 8.0 / 6.0)).epsilon(1e-12));
    CHECK(short_hyp.bleu == doctest::Approx(std::exp(1 - 8.0 / 6.0)).epsilon(1e-12));  // all precisions 1
    CHECK_THROWS_AS(corpus_bleu({ref}, std::vector<Tokens>{}), std::invalid_argument);
}

TEST_CASE("exact match, token accuracy, accuracy, confusion matrix") {
    CHECK(exact_match({words("a b"), words("c")}, {words("a b"), words("d")}) == 0.5);
    CHECK(token_accuracy(Ids({2, 3}, {5, 6, 9, 7, 1, 1}), Ids({2, 3}, {5, 7, 0, 7, 0, 0}), 0) == doctest::Approx(2.0 / 3.0));
    CHECK(accuracy({1, 0, 2, 2}, {1, 1, 2, 0}) == 0.5);
    const auto m = confusion_matrix({1, 0, 2, 2}, {1, 1, 2, 0}, 3);
    CHECK(m == std::vector<std::vector<std::size_t>>{{0, 0, 1}, {1, 1, 0}, {0, 0, 1}});
    CHECK_THROWS_WITH_AS(confusion_matrix({3}, {0}, 3), "confusion_matrix: label 3 is outside 3 classes", std::invalid_argument);
}

TEST_CASE("alignment: argmax links and AER (Och & Ney 2003)") {
    const Tensor w = Tensor::from({3, 4}, {0.1, 0.7, 0.2, 0.0, 0.6, 0.1, 0.3, 0.0, 0.2, 0.2, 0.5, 0.1});
    const Alignment a = argmax_alignment(w, 3, 3);
    CHECK(a == Alignment{{1, 0}, {0, 1}, {2, 2}});
    CHECK(alignment_error_rate({a}, {a}, {a}) == 0.0);
    // A = {(1,0),(0,1),(2,2)}, S = {(0,0),(0,1)}, P = S + {(2,2)}: 1 - (1 + 2) / (3 + 2) = 0.4
    CHECK(alignment_error_rate({a}, {{{0, 0}, {0, 1}}}, {{{2, 2}}}) == doctest::Approx(0.4));
    CHECK(alignment_error_rate({{}}, {{{0, 0}}}, {{}}) == 1.0);
}

TEST_CASE("alignment baselines: the diagonal, and the expected AER of a uniformly drawn link") {
    CHECK(diagonal_alignment(5, 3) == Alignment{{0, 0}, {2, 1}, {4, 2}});  // first to first, last to last
    CHECK(diagonal_alignment(3, 1) == Alignment{{0, 0}});
    CHECK(diagonal_alignment(0, 2).empty());
    // one sentence, S = 4 source tokens, T = 2 output tokens, sure {(0,0)}, possible {(1,1)}:
    // 1 - (|S| + |P u S|) / S_len / (T + |S|) = 1 - (1 + 2) / 4 / 3 = 0.75
    const std::vector<Alignment> sure{{{0, 0}}}, possible{{{1, 1}}};
    CHECK(uniform_alignment_error_rate({4}, {2}, sure, possible) == doctest::Approx(0.75).epsilon(1e-12));
    // ... which is the mean AER over all 4 x 4 equally likely alignments, by enumeration
    double mean = 0;
    for (int s0 = 0; s0 < 4; ++s0)
        for (int s1 = 0; s1 < 4; ++s1) mean += alignment_error_rate({{{s0, 0}, {s1, 1}}}, sure, possible) / 16;
    CHECK(uniform_alignment_error_rate({4}, {2}, sure, possible) == doctest::Approx(mean).epsilon(1e-12));
    CHECK_THROWS_WITH_AS(uniform_alignment_error_rate({4, 3}, {2}, sure, possible),
                         "uniform_alignment_error_rate: lengths and alignments differ in number", std::invalid_argument);
}
