// attn/support/metrics.hpp — how the chapters score their models.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "attn/tensor.hpp"

namespace attn {

using Tokens = std::vector<std::string>;

struct BleuScore {
    double bleu = 0;                          // in [0, 1]
    double brevity_penalty = 0;
    std::array<double, 4> precisions{};       // modified n-gram precisions, n = 1..4
    std::size_t hypothesis_length = 0, reference_length = 0;
};

/// Corpus BLEU-4 (Papineni et al. 2002): clipped n-gram counts summed over the corpus, geometric
/// mean of the four precisions with uniform weights, brevity penalty exp(1 - r/c) when c < r with
/// r the sum of the reference lengths closest to each hypothesis (ties: the shorter). No smoothing:
/// any zero precision gives 0, as NLTK's corpus_bleu and Moses' multi-bleu.
BleuScore corpus_bleu(const std::vector<Tokens>& hypotheses, const std::vector<std::vector<Tokens>>& references);
/// The same with one reference per hypothesis.
BleuScore corpus_bleu(const std::vector<Tokens>& hypotheses, const std::vector<Tokens>& references);

/// Share of hypotheses equal to their reference, token for token.
double exact_match(const std::vector<Tokens>& hypotheses, const std::vector<Tokens>& references);

/// Share of non-padding target positions where the prediction equals the target.
double token_accuracy(const Ids& predicted, const Ids& targets, int pad_id);

/// Share of equal labels.
double accuracy(const std::vector<int>& predicted, const std::vector<int>& gold);
/// counts[gold][predicted].
std::vector<std::vector<std::size_t>> confusion_matrix(const std::vector<int>& predicted, const std::vector<int>& gold,
                                                       std::size_t classes);

/// Word alignment links (source position, target position), 0-based.
using Alignment = std::vector<std::pair<int, int>>;

/// For each of the first `target_length` rows of weights (T, S), the argmax over the first
/// `source_length` columns: the hard alignment attention implies.
Alignment argmax_alignment(const Tensor& weights, std::size_t target_length, std::size_t source_length);

/// Alignment error rate (Och & Ney 2003): 1 - (|A & S| + |A & P|) / (|A| + |S|), summed over the
/// corpus, for predicted links A, sure links S and possible links P (S is included in P). With only
/// sure links, call it with possible = sure. 0 is perfect.
double alignment_error_rate(const std::vector<Alignment>& predicted, const std::vector<Alignment>& sure,
                            const std::vector<Alignment>& possible);

/// A baseline that knows only the two lengths: output token t of T linked to source position
/// round(t (S - 1) / (T - 1)) (the first to the first, the last to the last).
Alignment diagonal_alignment(std::size_t source_length, std::size_t target_length);

/// The AER of linking every output token to one source position drawn uniformly at random — what
/// attention spread evenly over the source amounts to — in expectation, exactly: every link of a
/// sentence with S source tokens is chosen with probability 1/S, and |A| is always the number of
/// output tokens, so E[AER] = 1 - sum (|S_k| + |P_k|) / S_k / sum (T_k + |S_k|).
double uniform_alignment_error_rate(const std::vector<std::size_t>& source_lengths, const std::vector<std::size_t>& target_lengths,
                                    const std::vector<Alignment>& sure, const std::vector<Alignment>& possible);

}  // namespace attn
