// Greedy and beam search on hand-built probability tables whose best answers are known.
#include <cmath>
#include <map>

#include "attn/data/text.hpp"
#include "attn/seq2seq/evaluation.hpp"
#include "attn/seq2seq/search.hpp"
#include "check.hpp"

using namespace attn;

namespace {

// Tokens: 0 pad, 1 unk, 2 bos, 3 eos, 4 A, 5 B.
constexpr int EOS = 3, A = 4, B = 5;
constexpr std::size_t V = 6;

/// A language model given as a tree: the state row holds the node (the prefix so far); each node
/// has a next-token distribution. Nodes not in the table end the sentence with certainty.
struct TableModel {
    std::map<std::vector<int>, std::map<int, double>> next;  // prefix -> token -> probability
    std::vector<std::vector<int>> prefixes;                  // node id -> prefix

    int node(const std::vector<int>& prefix) {
        for (std::size_t i = 0; i < prefixes.size(); ++i) if (prefixes[i] == prefix) return int(i);
        prefixes.push_back(prefix);
        return int(prefixes.size() - 1);
    }

    StepFunction step() {
        return [this](const std::vector<int>& previous, DecoderState& state) {
            const std::size_t N = previous.size();
            std::vector<real> logp(N * V, real(std::log(1e-12)));
            std::vector<real> nodes(N);
            for (std::size_t n = 0; n < N; ++n) {
                std::vector<int> prefix = prefixes[std::size_t(state["node"].at({n}))];
                if (previous[n] != 2) prefix.push_back(previous[n]);  // bos starts the prefix empty
                const auto found = next.find(prefix);
                if (found == next.end()) {
                    logp[n * V + EOS] = 0;
                } else {
                    for (const auto& [token, p] : found->second) logp[n * V + std::size_t(token)] = real(std::log(p));
                }
                nodes[n] = real(node(prefix));
            }
            state.set("node", Tensor::from({N}, nodes));
            ++state.steps;
            return Tensor::from({N, V}, logp);
        };
    }

    DecoderState start(std::size_t sentences) {
        DecoderState state;
        state.set("node", Tensor::full({sentences}, real(node({}))));
        return state;
    }
};

}  // namespace

TEST_CASE("beam search finds a better sequence than greedy") {
    TableModel lm;
    lm.next[{}] = {{A, 0.6}, {B, 0.4}};
    lm.next[{A}] = {{EOS, 0.34}, {A, 0.33}, {B, 0.33}};  // greedy takes A (0.6) but then everything is weak
    lm.next[{B}] = {{EOS, 0.9}, {A, 0.1}};               // B then eos: 0.36 > A then eos: 0.204
    lm.next[{A, A}] = {{EOS, 1.0}};
    lm.next[{A, B}] = {{EOS, 1.0}};
    lm.next[{B, A}] = {{EOS, 1.0}};

    const std::vector<Hypothesis> greedy = greedy_search(lm.step(), lm.start(1), {});
    CHECK(greedy[0].tokens == std::vector<int>{A, EOS});
    CHECK(greedy[0].log_probability == doctest::Approx(std::log(0.6 * 0.34)).epsilon(1e-6));

    SearchOptions beam;
    beam.beam = 2;
    beam.length_penalty = 0;
    const std::vector<Hypothesis> best = beam_search(lm.step(), lm.start(1), beam);
    CHECK(best[0].tokens == std::vector<int>{B, EOS});
    CHECK(best[0].log_probability == doctest::Approx(std::log(0.4 * 0.9)).epsilon(1e-6));

    SearchOptions width_one = beam;
    width_one.beam = 1;
    CHECK(beam_search(lm.step(), lm.start(1), width_one)[0].tokens == greedy[0].tokens);  // beam 1 = greedy
}

TEST_CASE("length normalisation lets a longer hypothesis win") {
    TableModel lm;
    lm.next[{}] = {{EOS, 0.4}, {A, 0.6}};
    lm.next[{A}] = {{B, 1.0}};
    lm.next[{A, B}] = {{EOS, 0.5}, {A, 0.5}};
    lm.next[{A, B, A}] = {{EOS, 1.0}};
    // [eos]: log p = -0.92 (per token -0.92); [A B eos]: log 0.3 = -1.20 (per token -0.40);
    // [A B A eos]: log 0.3 = -1.20 (per token -0.30).
    SearchOptions raw;
    raw.beam = 2;
    raw.length_penalty = 0;
    const Hypothesis shortest = beam_search(lm.step(), lm.start(1), raw)[0];
    CHECK(shortest.tokens == std::vector<int>{EOS});
    CHECK(shortest.score == doctest::Approx(std::log(0.4)).epsilon(1e-6));
    SearchOptions per_token = raw;
    per_token.length_penalty = 1.0;
    const Hypothesis longer = beam_search(lm.step(), lm.start(1), per_token)[0];
    CHECK(longer.tokens == std::vector<int>{A, B, A, EOS});
    CHECK(longer.score == doctest::Approx(std::log(0.3) / 4).epsilon(1e-6));
}

TEST_CASE("search runs a batch of sentences and respects max_length") {
    TableModel lm;
    lm.next[{}] = {{A, 1.0}};
    lm.next[{A}] = {{A, 1.0}};  // never ends by itself
    lm.next[{A, A}] = {{A, 1.0}};
    lm.next[{A, A, A}] = {{A, 1.0}};
    lm.next[{A, A, A, A}] = {{A, 1.0}};
    SearchOptions options;
    options.max_length = 4;
    const std::vector<Hypothesis> greedy = greedy_search(lm.step(), lm.start(3), options);
    REQUIRE(greedy.size() == 3);
    for (const Hypothesis& h : greedy) CHECK(h.tokens == std::vector<int>{A, A, A, A});
    options.beam = 3;
    const std::vector<Hypothesis> beams = beam_search(lm.step(), lm.start(2), options);
    REQUIRE(beams.size() == 2);
    for (const Hypothesis& h : beams) CHECK(h.tokens == std::vector<int>{A, A, A, A});  // unfinished, cut at 4
}

TEST_CASE("select_rows reorders and repeats hypotheses, every tensor by name, and keeps the step count") {
    DecoderState s;
    s.set("a", Tensor::from({3, 2}, {1, 2, 3, 4, 5, 6}));
    s.set("b", Tensor::from({3}, {7, 8, 9}));
    s.steps = 4;
    const DecoderState picked = select_rows(s, {2, 0, 0});
    CHECK(picked["a"].values() == std::vector<real>{5, 6, 1, 2, 1, 2});
    CHECK(picked["b"].values() == std::vector<real>{9, 7, 7});
    CHECK(picked.steps == 4);
    CHECK(picked.rows() == 3);
    CHECK_THROWS_WITH_AS(picked["c"], "decoder state: no tensor called 'c'", std::logic_error);
    CHECK_THROWS_WITH_AS(s.set("c", Tensor()), "decoder state: 'c' must be a tensor with one row per hypothesis", std::logic_error);
    CHECK_THROWS_WITH_AS(DecoderState().rows(), "search: the decoder state has no tensors", std::invalid_argument);
}

TEST_CASE("BLEU and token accuracy by source length: each range scores its own sentences") {
    const auto example = [](std::size_t source_length, const std::string& target) {
        Seq2SeqExample e;
        e.source = Tokens(source_length, "w");
        e.target = split_words(target, false);
        return e;
    };
    const auto output = [](const std::string& text) {
        Translation t;
        t.output = split_words(text, false);
        return t;
    };
    const std::vector<Seq2SeqExample> examples = {example(3, "a b c d"), example(12, "a b c d e"), example(7, "p q r s"),
                                                  example(5, "e f g h i")};
    const std::vector<Translation> translations = {output("a b c d"), output("a b c d x"), output("z z z z"),
                                                   output("e f g h i")};
    const std::vector<LengthGroup> groups = by_source_length(examples, translations, 5);
    REQUIRE(groups.size() == 3);  // 1-5, 6-10, 11-15
    CHECK(groups[0].from == 1);
    CHECK(groups[0].to == 5);
    CHECK(groups[0].sentences == 2);  // lengths 3 and 5, both translated exactly
    CHECK(groups[0].bleu == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(groups[0].token_accuracy == 1.0);
    CHECK(groups[1].from == 6);
    CHECK(groups[1].sentences == 1);  // every word wrong
    CHECK(groups[1].bleu == 0.0);
    CHECK(groups[1].token_accuracy == 0.0);
    CHECK(groups[2].from == 11);
    CHECK(groups[2].to == 15);
    // the last of five words wrong: precisions 4/5, 3/4, 2/3, 1/2, no brevity penalty -> 0.2^(1/4)
    CHECK(groups[2].bleu == doctest::Approx(std::pow(0.2, 0.25)).epsilon(1e-12));
    CHECK(groups[2].token_accuracy == doctest::Approx(0.8).epsilon(1e-12));

    const std::vector<LengthGroup> wide = by_source_length(examples, translations, 10);  // 1-10, 11-20
    REQUIRE(wide.size() == 2);
    CHECK(wide[0].sentences == 3);
    CHECK(wide[0].token_accuracy == doctest::Approx(9.0 / 13.0).epsilon(1e-12));
    CHECK(wide[1].to == 20);

    // a range with no sentence is left out: lengths 3 and 12 give 1-5 and 11-15, nothing for 6-10
    const std::vector<LengthGroup> gap = by_source_length({examples[0], examples[1]}, {translations[0], translations[1]}, 5);
    REQUIRE(gap.size() == 2);
    CHECK(gap[0].from == 1);
    CHECK(gap[1].from == 11);
    CHECK(gap[1].sentences == 1);

    CHECK_THROWS_WITH_AS(by_source_length(examples, translations, 0),
                         "by_source_length: the width of a length range must be at least 1", std::invalid_argument);
    CHECK_THROWS_WITH_AS(by_source_length(examples, {translations[0]}, 5), "by_source_length: 1 translations for 4 examples",
                         std::invalid_argument);
}
