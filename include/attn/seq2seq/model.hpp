// attn/seq2seq/model.hpp — what every sequence-to-sequence model offers the library: a loss for
// training, and a start/step pair for decoding (attn/seq2seq/search.hpp).
#pragma once

#include "attn/nn/module.hpp"
#include "attn/random.hpp"
#include "attn/seq2seq/search.hpp"
#include "attn/seq2seq/tasks.hpp"

namespace attn {

class Seq2SeqModel : public Module {
public:
    /// Mean token cross-entropy of the batch under teacher forcing; () scalar.
    virtual Tensor loss(const PairBatch& batch, Rng& rng) const = 0;
    /// The decoder state after reading the sources: one row per sentence (see search.hpp).
    virtual DecoderState start(const PaddedBatch& source) const = 0;
    /// One decoding step: previous tokens (N) -> log-probabilities (N, V); updates the state.
    virtual Tensor step(const std::vector<int>& previous, DecoderState& state) const = 0;
    /// The attention weights (N, S) of the last step, for models that attend; empty otherwise.
    virtual Tensor last_attention(const DecoderState&) const { return Tensor(); }
};

}  // namespace attn
