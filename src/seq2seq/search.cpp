// Greedy and beam search over a step function (see attn/seq2seq/search.hpp).
#include "attn/seq2seq/search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "attn/ops.hpp"
#include "attn/tape.hpp"

namespace attn {

const Tensor& DecoderState::operator[](const std::string& name) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) throw std::logic_error("decoder state: no tensor called '" + name + "'");
    return it->second;
}

void DecoderState::set(const std::string& name, const Tensor& rows) {
    if (!rows.defined() || rows.dim() == 0) {
        throw std::logic_error("decoder state: '" + name + "' must be a tensor with one row per hypothesis");
    }
    tensors_[name] = rows;
}

std::size_t DecoderState::rows() const {
    if (tensors_.empty()) throw std::invalid_argument("search: the decoder state has no tensors");
    return tensors_.begin()->second.shape(0);
}

DecoderState select_rows(const DecoderState& state, const std::vector<int>& which) {
    DecoderState out;
    out.steps = state.steps;
    for (const auto& [name, rows] : state.tensors()) out.set(name, index_select(rows, 0, Ids(which)));
    return out;
}

namespace {

double normalised(double log_probability, std::size_t length, double alpha) {
    return log_probability / std::pow(double(std::max<std::size_t>(length, 1)), alpha);
}

void check_log_probs(const Tensor& logp, std::size_t rows) {
    if (logp.dim() != 2 || logp.shape(0) != rows) {
        throw std::invalid_argument("search: the step function returned " + to_string(logp.shape()) + " for " +
                                    std::to_string(rows) + " hypotheses; expected (N, V)");
    }
}

/// A sentence is done when it has k finished hypotheses and no live beam can still beat the worst
/// of them. Log-probabilities only fall as a hypothesis grows, so the best a live beam with log p can
/// reach is log p / max_length^alpha (alpha >= 0): the least negative it can be after normalising.
bool cannot_improve(std::vector<Hypothesis>& finished, const std::vector<double>& live_score, std::size_t first,
                    std::size_t k, const SearchOptions& options) {
    if (finished.size() < k) return false;
    std::sort(finished.begin(), finished.end(), [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
    finished.resize(k);
    const double worst_kept = finished.back().score;
    double best_live = -std::numeric_limits<double>::infinity();
    for (std::size_t b = 0; b < k; ++b) best_live = std::max(best_live, live_score[first + b]);
    const double bound = best_live / std::pow(double(options.max_length), std::max(options.length_penalty, 0.0));
    return bound <= worst_kept;
}

}  // namespace

std::vector<Hypothesis> greedy_search(const StepFunction& step, const DecoderState& initial, const SearchOptions& options) {
    // EXERCISE ch1.greedy_search (3 points): greedy decoding of a batch: the most likely token at each step until <eos>
    NoRecording off;  // decoding needs no gradients
    const std::size_t N = initial.rows();
    std::vector<Hypothesis> out(N);
    std::vector<bool> done(N, false);
    std::vector<int> previous(N, options.bos);
    DecoderState state = initial;
    for (std::size_t t = 0; t < options.max_length; ++t) {
        const Tensor logp = step(previous, state);
        check_log_probs(logp, N);
        const std::size_t V = logp.shape(1);
        bool all_done = true;
        for (std::size_t n = 0; n < N; ++n) {
            if (done[n]) continue;
            const real* row = logp.data() + n * V;
            const std::size_t best = std::size_t(std::max_element(row, row + V) - row);
            out[n].tokens.push_back(int(best));
            out[n].log_probability += row[best];
            previous[n] = int(best);
            done[n] = int(best) == options.eos;
            all_done = all_done && done[n];
        }
        if (all_done) break;
    }
    for (Hypothesis& h : out) h.score = normalised(h.log_probability, h.tokens.size(), options.length_penalty);
    return out;
    // END EXERCISE ch1.greedy_search
}

std::vector<Hypothesis> beam_search(const StepFunction& step, const DecoderState& initial, const SearchOptions& options) {
    NoRecording off;
    const std::size_t N = initial.rows(), k = std::max<std::size_t>(options.beam, 1);
    constexpr double dead = -std::numeric_limits<double>::infinity();

    // Row n*k + b holds beam b of sentence n. At the start only beam 0 is alive, so the first
    // expansion does not produce k copies of the same hypothesis.
    std::vector<int> expand;
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t b = 0; b < k; ++b) expand.push_back(int(n));
    DecoderState state = select_rows(initial, expand);
    std::vector<Hypothesis> live(N * k);
    std::vector<double> live_score(N * k, dead);
    for (std::size_t n = 0; n < N; ++n) live_score[n * k] = 0;
    std::vector<std::vector<Hypothesis>> finished(N);
    std::vector<bool> closed(N, false);
    std::vector<int> previous(N * k, options.bos);

    for (std::size_t t = 0; t < options.max_length; ++t) {
        const Tensor logp = step(previous, state);
        check_log_probs(logp, N * k);
        const std::size_t V = logp.shape(1);
        std::vector<int> parents(N * k);
        std::vector<Hypothesis> next_live(N * k);
        std::vector<double> next_score(N * k, dead);
        for (std::size_t n = 0; n < N; ++n) {
            if (closed[n]) {
                for (std::size_t b = 0; b < k; ++b) parents[n * k + b] = int(n * k);  // keep shapes; ignored
                continue;
            }
            // every (beam, token) extension of the live beams, best first
            std::vector<std::pair<double, std::size_t>> candidates;
            for (std::size_t b = 0; b < k; ++b) {
                if (live_score[n * k + b] == dead) continue;
                const real* row = logp.data() + (n * k + b) * V;
                for (std::size_t v = 0; v < V; ++v) candidates.emplace_back(live_score[n * k + b] + row[v], b * V + v);
            }
            const std::size_t keep = std::min(candidates.size(), 2 * k);  // enough to refill k live beams
            std::partial_sort(candidates.begin(), candidates.begin() + long(keep), candidates.end(),
                              [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
            std::size_t filled = 0;
            for (std::size_t c = 0; c < keep && filled < k; ++c) {
                const std::size_t b = candidates[c].second / V, v = candidates[c].second % V;
                Hypothesis h = live[n * k + b];
                h.tokens.push_back(int(v));
                h.log_probability = candidates[c].first;
                if (int(v) == options.eos) {
                    h.score = normalised(h.log_probability, h.tokens.size(), options.length_penalty);
                    finished[n].push_back(std::move(h));
                    continue;
                }
                parents[n * k + filled] = int(n * k + b);
                next_score[n * k + filled] = candidates[c].first;
                next_live[n * k + filled] = std::move(h);
                ++filled;
            }
            for (std::size_t b = filled; b < k; ++b) parents[n * k + b] = int(n * k);
            closed[n] = filled == 0 || cannot_improve(finished[n], next_score, n * k, k, options);
        }
        live = std::move(next_live);
        live_score = std::move(next_score);
        if (std::all_of(closed.begin(), closed.end(), [](bool c) { return c; })) break;
        for (std::size_t r = 0; r < N * k; ++r) previous[r] = live[r].tokens.empty() ? options.eos : live[r].tokens.back();
        state = select_rows(state, parents);
    }

    std::vector<Hypothesis> best(N);
    for (std::size_t n = 0; n < N; ++n) {
        std::vector<Hypothesis> pool = finished[n];
        if (pool.empty()) {  // nothing reached eos within max_length: rank the live beams
            for (std::size_t b = 0; b < k; ++b) {
                if (live_score[n * k + b] == dead) continue;
                Hypothesis h = live[n * k + b];
                h.score = normalised(h.log_probability, h.tokens.size(), options.length_penalty);
                pool.push_back(std::move(h));
            }
        }
        if (pool.empty()) continue;
        best[n] = *std::max_element(pool.begin(), pool.end(), [](const Hypothesis& a, const Hypothesis& b) { return a.score < b.score; });
    }
    return best;
}

}  // namespace attn
