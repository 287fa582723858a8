// BLEU, exact match, accuracies, confusion matrix and AER (see attn/support/metrics.hpp).
#include "attn/support/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

namespace attn {

namespace {

using NgramCounts = std::map<Tokens, std::size_t>;

NgramCounts ngrams(const Tokens& tokens, std::size_t n) {
    NgramCounts counts;
    for (std::size_t i = 0; i + n <= tokens.size(); ++i) ++counts[Tokens(tokens.begin() + long(i), tokens.begin() + long(i + n))];
    return counts;
}

void same_size(const char* what, std::size_t a, std::size_t b) {
    if (a != b) {
        throw std::invalid_argument(std::string(what) + ": " + std::to_string(a) + " hypotheses but " + std::to_string(b) +
                                    " references");
    }
}

}  // namespace

BleuScore corpus_bleu(const std::vector<Tokens>& hypotheses, const std::vector<std::vector<Tokens>>& references) {
    same_size("corpus_bleu", hypotheses.size(), references.size());
    std::array<std::size_t, 4> matched{}, total{};
    BleuScore score;
    for (std::size_t k = 0; k < hypotheses.size(); ++k) {
        const Tokens& hyp = hypotheses[k];
        if (references[k].empty()) throw std::invalid_argument("corpus_bleu: hypothesis " + std::to_string(k) + " has no reference");
        for (std::size_t n = 1; n <= 4; ++n) {
            NgramCounts max_ref;  // each n-gram's largest count in any one reference: the clip
            for (const Tokens& ref : references[k])
                for (const auto& [gram, count] : ngrams(ref, n)) max_ref[gram] = std::max(max_ref[gram], count);
            for (const auto& [gram, count] : ngrams(hyp, n)) {
                const auto found = max_ref.find(gram);
                matched[n - 1] += std::min(count, found == max_ref.end() ? 0 : found->second);
                total[n - 1] += count;
            }
        }
        // the reference length closest to the hypothesis length; ties go to the shorter one
        std::size_t closest = references[k][0].size();
        for (const Tokens& ref : references[k]) {
            const long d = std::labs(long(ref.size()) - long(hyp.size())), best = std::labs(long(closest) - long(hyp.size()));
            if (d < best || (d == best && ref.size() < closest)) closest = ref.size();
        }
        score.reference_length += closest;
        score.hypothesis_length += hyp.size();
    }
    double log_sum = 0;
    bool zero = false;
    for (std::size_t n = 0; n < 4; ++n) {
        score.precisions[n] = total[n] > 0 ? double(matched[n]) / double(total[n]) : 0;
        if (matched[n] == 0) zero = true;
        else log_sum += std::log(score.precisions[n]) / 4;
    }
    const double c = double(score.hypothesis_length), r = double(score.reference_length);
    score.brevity_penalty = c == 0 ? 0 : (c < r ? std::exp(1 - r / c) : 1.0);
    score.bleu = zero ? 0 : score.brevity_penalty * std::exp(log_sum);
    return score;
}

BleuScore corpus_bleu(const std::vector<Tokens>& hypotheses, const std::vector<Tokens>& references) {
    std::vector<std::vector<Tokens>> wrapped;
    for (const Tokens& r : references) wrapped.push_back({r});
    return corpus_bleu(hypotheses, wrapped);
}

double exact_match(const std::vector<Tokens>& hypotheses, const std::vector<Tokens>& references) {
    same_size("exact_match", hypotheses.size(), references.size());
    if (hypotheses.empty()) return 0;
    std::size_t equal = 0;
    for (std::size_t k = 0; k < hypotheses.size(); ++k) equal += hypotheses[k] == references[k];
    return double(equal) / double(hypotheses.size());
}

double token_accuracy(const Ids& predicted, const Ids& targets, int pad_id) {
    if (predicted.shape != targets.shape) {
        throw std::invalid_argument("token_accuracy: predictions " + to_string(predicted.shape) + " and targets " +
                                    to_string(targets.shape) + " differ in shape");
    }
    std::size_t right = 0, counted = 0;
    for (std::size_t i = 0; i < targets.values.size(); ++i) {
        if (targets.values[i] == pad_id) continue;
        ++counted;
        right += predicted.values[i] == targets.values[i];
    }
    return counted ? double(right) / double(counted) : 0;
}

double accuracy(const std::vector<int>& predicted, const std::vector<int>& gold) {
    if (predicted.size() != gold.size()) throw std::invalid_argument("accuracy: predictions and labels differ in number");
    if (gold.empty()) return 0;
    std::size_t right = 0;
    for (std::size_t i = 0; i < gold.size(); ++i) right += predicted[i] == gold[i];
    return double(right) / double(gold.size());
}

std::vector<std::vector<std::size_t>> confusion_matrix(const std::vector<int>& predicted, const std::vector<int>& gold,
                                                       std::size_t classes) {
    if (predicted.size() != gold.size()) throw std::invalid_argument("confusion_matrix: predictions and labels differ in number");
    std::vector<std::vector<std::size_t>> counts(classes, std::vector<std::size_t>(classes, 0));
    for (std::size_t i = 0; i < gold.size(); ++i) {
        for (int label : {gold[i], predicted[i]}) {
            if (label < 0 || std::size_t(label) >= classes) {
                throw std::invalid_argument("confusion_matrix: label " + std::to_string(label) + " is outside " +
                                            std::to_string(classes) + " classes");
            }
        }
        ++counts[std::size_t(gold[i])][std::size_t(predicted[i])];
    }
    return counts;
}

Alignment argmax_alignment(const Tensor& weights, std::size_t target_length, std::size_t source_length) {
    const Shape shape = weights.shape();
    if (shape.size() != 2 || target_length > shape[0] || source_length > shape[1] || source_length == 0) {
        throw std::invalid_argument("argmax_alignment: weights " + to_string(shape) + " cannot hold " +
                                    std::to_string(target_length) + " target and " + std::to_string(source_length) +
                                    " source positions");
    }
    Alignment links;
    for (std::size_t t = 0; t < target_length; ++t) {
        std::size_t best = 0;
        for (std::size_t s = 1; s < source_length; ++s) {
            if (weights.at({t, s}) > weights.at({t, best})) best = s;
        }
        links.emplace_back(int(best), int(t));
    }
    return links;
}

double alignment_error_rate(const std::vector<Alignment>& predicted, const std::vector<Alignment>& sure,
                            const std::vector<Alignment>& possible) {
    if (predicted.size() != sure.size() || sure.size() != possible.size()) {
        throw std::invalid_argument("alignment_error_rate: predicted, sure and possible alignments differ in number");
    }
    std::size_t a_and_s = 0, a_and_p = 0, a = 0, s = 0;
    for (std::size_t k = 0; k < predicted.size(); ++k) {
        const std::set<std::pair<int, int>> A(predicted[k].begin(), predicted[k].end());
        const std::set<std::pair<int, int>> S(sure[k].begin(), sure[k].end());
        std::set<std::pair<int, int>> P(possible[k].begin(), possible[k].end());
        P.insert(S.begin(), S.end());
        for (const auto& link : A) {
            a_and_s += S.count(link);
            a_and_p += P.count(link);
        }
        a += A.size();
        s += S.size();
    }
    if (a + s == 0) return 0;
    return 1 - double(a_and_s + a_and_p) / double(a + s);
}

Alignment diagonal_alignment(std::size_t source_length, std::size_t target_length) {
    Alignment out;
    if (source_length == 0) return out;
    for (std::size_t t = 0; t < target_length; ++t) {
        const double s = target_length > 1 ? double(t) * double(source_length - 1) / double(target_length - 1) : 0;
        out.emplace_back(int(std::lround(s)), int(t));
    }
    return out;
}

double uniform_alignment_error_rate(const std::vector<std::size_t>& source_lengths, const std::vector<std::size_t>& target_lengths,
                                    const std::vector<Alignment>& sure, const std::vector<Alignment>& possible) {
    const std::size_t n = source_lengths.size();
    if (target_lengths.size() != n || sure.size() != n || possible.size() != n) {
        throw std::invalid_argument("uniform_alignment_error_rate: lengths and alignments differ in number");
    }
    double hits = 0, denominator = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const std::set<std::pair<int, int>> S(sure[k].begin(), sure[k].end());
        std::set<std::pair<int, int>> P(possible[k].begin(), possible[k].end());
        P.insert(S.begin(), S.end());
        if (source_lengths[k] > 0) hits += double(S.size() + P.size()) / double(source_lengths[k]);
        denominator += double(target_lengths[k] + S.size());
    }
    return denominator > 0 ? 1 - hits / denominator : 0;
}

}  // namespace attn
