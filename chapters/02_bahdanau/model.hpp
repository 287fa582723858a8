// chapters/02_bahdanau/model.hpp — Bahdanau, Cho & Bengio 2015, "Neural Machine Translation by
// Jointly Learning to Align and Translate", in the paper's symbols.
//
// Read top to bottom: the encoder (section 3.2), the alignment model (section 3.1, eq. 6), one
// decoder step (eq. 4-5 and appendix A.2.2), training by teacher forcing, and the step function the
// library's greedy/beam search calls. Left out on purpose: the maxout output layer of appendix
// A.2.2 (we read the next word off [s_t; c_t] with one linear layer — see README, "Variant") and
// the paper's 30k-word vocabulary machinery.
#pragma once

#include <cmath>

#include "attn/attn.hpp"
#include "attn/train/loss.hpp"
#include "attn/nn/attention.hpp"
#include "attn/nn/layers.hpp"
#include "attn/nn/recurrent.hpp"
#include "attn/seq2seq/model.hpp"

namespace ch02 {

using namespace attn;

struct Config {
    std::size_t embedding = 32;  // E
    std::size_t hidden = 64;     // H: each encoder direction and the decoder
    std::size_t attention = 64;  // A: width of the alignment model
    real dropout = 0;            // on embeddings and on [s_t; c_t]
};

class Bahdanau : public Seq2SeqModel {
public:
    Bahdanau(std::size_t source_vocabulary, std::size_t target_vocabulary, const Config& config, Rng& rng)
        : source_embedding(source_vocabulary, config.embedding, rng, Vocabulary::pad),
          encoder(config.embedding, config.hidden, rng, {CellType::gru, 1, true, 0}),
          W_s(config.hidden, config.hidden, rng),
          alignment(config.hidden, 2 * config.hidden, config.attention, rng),
          target_embedding(target_vocabulary, config.embedding, rng, Vocabulary::pad),
          decoder(config.embedding + 2 * config.hidden, config.hidden, rng),
          output(3 * config.hidden, target_vocabulary, rng),
          drop(config.dropout) {}

    // ---- Encoder (section 3.2): a bidirectional RNN; h_j = [->h_j; <-h_j] ------------------------

    struct Encoded {
        Tensor h;         // (B, S, 2H) annotations h_j
        Tensor U_a_h;     // (B, S, A)  U_a h_j, computed once per sentence
        Tensor mask;      // (B, S)     1 at padding: those j get alpha_tj = 0
        Tensor s0;        // (B, H)     initial decoder state
    };

    Encoded encode(const PaddedBatch& source, Rng& rng) const {
        const Tensor x = drop.forward(source_embedding.forward(source.ids), rng);  // (B, S, E)
        const Recurrent::Output run = encoder.forward(x, source.lengths, rng);
        Encoded e;
        e.h = run.outputs;                                   // (B, S, 2H), zero at padding
        e.U_a_h = alignment.prepare(e.h);                    // (B, S, A)
        e.mask = source.mask;                                // (B, S)
        // s_0 = tanh(W_s <-h_1): the backward RNN's state after reading the whole sentence (A.2.2)
        e.s0 = tanh(W_s.forward(run.final_state(0, Direction::backward).h));  // (B, H)
        return e;
    }

    // ---- One decoder step: align (eq. 6), context (eq. 5), new state (eq. 4), output ---------------

    struct Step {
        Tensor s;      // (B, H)  s_t
        Tensor c;      // (B, 2H) c_t
        Tensor alpha;  // (B, S)  alpha_tj
    };

    Step decode_step(const Tensor& y_prev, const Tensor& s_prev, const Encoded& e) const {
        // EXERCISE ch2.decoder_step (5 points): one decoder step: attend with s_{t-1}, then s_t = f(s_{t-1}, y_{t-1}, c_t)
        // e_tj = v_a^T tanh(W_a s_{t-1} + U_a h_j); alpha_t = softmax over the real j; c_t = sum_j alpha_tj h_j
        const Attention a = alignment.forward(s_prev, e.U_a_h, e.h, e.mask);  // c (B, 2H), alpha (B, S)
        // s_t = f(s_{t-1}, y_{t-1}, c_t): a GRU reading [E y_{t-1}; c_t]
        const Tensor s = decoder.step(concat({y_prev, a.context}, 1), {s_prev, {}}).h;  // (B, H)
        return {s, a.context, a.weights};
        // END EXERCISE ch2.decoder_step
    }

    /// p(y_t | y_<t, x) reads off [s_t; c_t] (see README, "Variant").
    Tensor logits(const Tensor& s_and_c) const { return output.forward(s_and_c); }  // (..., V)

    // ---- Training: teacher forcing ---------------------------------------------------------------

    Tensor loss(const PairBatch& batch, Rng& rng) const override {
        const Encoded e = encode(batch.source, rng);
        const Tensor Y = drop.forward(target_embedding.forward(batch.target_in), rng);  // (B, T, E): <bos> y_1 .. y_T
        const std::size_t B = Y.shape(0), T = Y.shape(1), E = Y.shape(2);
        Tensor s = e.s0;
        std::vector<Tensor> states;  // [s_t; c_t] per step
        for (std::size_t t = 0; t < T; ++t) {
            const Tensor y_prev = reshape(slice(Y, 1, t, t + 1), {B, E});  // (B, E)
            const Step step = decode_step(y_prev, s, e);
            s = step.s;
            states.push_back(concat({step.s, step.c}, 1));                 // (B, 3H)
        }
        const Tensor z = logits(drop.forward(stack(states, 1), rng));      // (B, T, V): one matmul for all steps
        return token_cross_entropy(z, batch.target_out, Vocabulary::pad);  // ()
    }

    // ---- Generation: the state the search carries, one row per hypothesis ----------------------------
    // "s" (N, H), "h" (N, S, 2H), "U_a_h" (N, S, A), "mask" (N, S), "alpha" of the last step (N, S)

    DecoderState start(const PaddedBatch& source) const override {
        Rng unused(0);  // evaluation mode: dropout draws nothing
        const Encoded e = encode(source, unused);
        DecoderState state;
        state.set("s", e.s0);
        state.set("h", e.h);
        state.set("U_a_h", e.U_a_h);
        state.set("mask", e.mask);
        state.set("alpha", Tensor::zeros(source.mask.shape()));
        return state;
    }

    Tensor step(const std::vector<int>& previous, DecoderState& state) const override {
        const Encoded e{state["h"], state["U_a_h"], state["mask"], Tensor()};
        const Tensor y_prev = target_embedding.forward(Ids(previous));                  // (N, E)
        const Step step = decode_step(y_prev, state["s"], e);
        state.set("s", step.s);
        state.set("alpha", step.alpha);
        ++state.steps;
        return log_softmax(logits(concat({step.s, step.c}, 1)), -1);                     // (N, V)
    }

    Tensor last_attention(const DecoderState& state) const override { return state["alpha"]; }

    Embedding source_embedding;
    Recurrent encoder;
    Linear W_s;
    AdditiveScore alignment;  // W_a, U_a, v_a
    Embedding target_embedding;
    GruCell decoder;
    Linear output;
    Dropout drop;

protected:
    void list(Lister& out) override {
        out.child("source_embedding", source_embedding);
        out.child("encoder", encoder);
        out.child("W_s", W_s);
        out.child("alignment", alignment);
        out.child("target_embedding", target_embedding);
        out.child("decoder", decoder);
        out.child("output", output);
        out.child("drop", drop);  // listed so that eval() switches it off
    }
};

}  // namespace ch02
