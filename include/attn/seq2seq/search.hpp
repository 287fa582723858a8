// attn/seq2seq/search.hpp — generating sequences: greedy and beam search, shared by every chapter.
//
// The search sees a model only through a step function: given the previous token of each live
// hypothesis and the decoder state (one row per hypothesis), it returns log-probabilities of the
// next token (N, V) and updates the state. The state holds named tensors whose first axis indexes
// hypotheses, so the search can reorder and copy rows as beams branch — anything per-sentence that
// the step needs (encoder outputs, masks, caches) goes into the state too.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "attn/tensor.hpp"

namespace attn {

/// What a model carries from one decoding step to the next, by name ("memory", "h", "layer0.self_K").
/// Every tensor's first axis indexes hypotheses (row i belongs to hypothesis i), so the search can
/// reorder and copy rows as beams branch. `steps` counts the tokens read so far, the same for
/// every row.
class DecoderState {
public:
    /// The tensor called `name`; throws std::logic_error naming it when there is none.
    const Tensor& operator[](const std::string& name) const;
    /// Sets (or replaces) the tensor called `name`; it must be defined and have a first axis.
    void set(const std::string& name, const Tensor& rows);
    bool has(const std::string& name) const { return tensors_.count(name) != 0; }
    /// Every tensor, by name.
    const std::map<std::string, Tensor>& tensors() const { return tensors_; }
    /// Hypotheses (rows) in the state; throws std::invalid_argument when it holds no tensor.
    std::size_t rows() const;

    std::size_t steps = 0;

private:
    std::map<std::string, Tensor> tensors_;
};

/// previous tokens (N) + state -> log-probabilities (N, V); updates the state to after that token.
using StepFunction = std::function<Tensor(const std::vector<int>& previous, DecoderState& state)>;

/// Keeps the rows `which` of every state tensor, in that order (rows may repeat).
DecoderState select_rows(const DecoderState& state, const std::vector<int>& which);

struct SearchOptions {
    int bos = 2, eos = 3;
    std::size_t max_length = 50;  // tokens generated per sentence, eos included
    std::size_t beam = 1;         // 1 = greedy
    double length_penalty = 1.0;  // alpha: a finished hypothesis ranks by log p / length^alpha
};

struct Hypothesis {
    std::vector<int> tokens;  // without bos; ends with eos unless max_length cut it
    double log_probability = 0;
    double score = 0;         // log_probability / length^alpha
};

/// Greedy decoding of a batch of N sentences whose initial states have one row per sentence: the
/// most probable token at every step, until eos or max_length. Runs all sentences as one batch.
std::vector<Hypothesis> greedy_search(const StepFunction& step, const DecoderState& initial, const SearchOptions& options);

/// Beam search: keeps the `beam` best partial hypotheses per sentence (by total log-probability),
/// sets a hypothesis aside when it produces eos, and stops a sentence when it has `beam` finished
/// hypotheses that no live one can still beat after length normalisation (or at max_length).
/// Returns the finished hypothesis with the best length-normalised score (or the best unfinished
/// one if none finished). All sentences and beams run as one batch.
std::vector<Hypothesis> beam_search(const StepFunction& step, const DecoderState& initial, const SearchOptions& options);

}  // namespace attn
