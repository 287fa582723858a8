// chapters/01_seq2seq/model.hpp — the RNN encoder-decoder (Cho et al. 2014; Sutskever, Vinyals &
// Le 2014) in Cho et al.'s symbols: the whole source squeezed into one vector c.
//
// Read top to bottom: the encoder h_t = f(x_t, h_{t-1}) with c = h_S, one decoder step
// s_t = g(y_{t-1}, s_{t-1}, c), training by teacher forcing, and the step function the library's
// greedy/beam search calls. The decoder is chapter 2's with c_t replaced by the fixed c, so the two
// chapters differ in exactly one idea. Left out: reversing the source (Sutskever's trick) and deep
// stacks — see the README's exercises.
#pragma once

#include "attn/attn.hpp"
#include "attn/train/loss.hpp"
#include "attn/nn/layers.hpp"
#include "attn/nn/recurrent.hpp"
#include "attn/seq2seq/model.hpp"

namespace ch01 {

using namespace attn;

struct Config {
    std::size_t embedding = 32;        // E
    std::size_t hidden = 128;          // H
    CellType cell = CellType::gru;     // or CellType::lstm
    real dropout = 0;
};

class EncoderDecoder : public Seq2SeqModel {
public:
    EncoderDecoder(std::size_t source_vocabulary, std::size_t target_vocabulary, const Config& config, Rng& rng)
        : source_embedding(source_vocabulary, config.embedding, rng, Vocabulary::pad),
          encoder(config.embedding, config.hidden, rng, {config.cell, 1, false, 0}),
          W_s(config.hidden, config.hidden, rng),
          target_embedding(target_vocabulary, config.embedding, rng, Vocabulary::pad),
          decoder(make_cell(config.cell, config.embedding + config.hidden, config.hidden, rng)),
          output(2 * config.hidden, target_vocabulary, rng),
          drop(config.dropout) {}

    // ---- Encoder: h_t = f(x_t, h_{t-1}); the summary c = h_S, at each sentence's own last token -----

    struct Encoded {
        Tensor c;   // (B, H) the fixed-length summary of the whole source
        Tensor s0;  // (B, H) initial decoder state, s_0 = tanh(W_s c)
    };

    Encoded encode(const PaddedBatch& source, Rng& rng) const {
        const Tensor x = drop.forward(source_embedding.forward(source.ids), rng);  // (B, S, E)
        const Recurrent::Output run = encoder.forward(x, source.lengths, rng);     // outputs unused: only c
        const Tensor c = run.final_state(0).h;                                      // (B, H)
        return {c, tanh(W_s.forward(c))};                                           // s_0: (B, H)
    }

    // ---- One decoder step: s_t = g(y_{t-1}, s_{t-1}, c) -------------------------------------------------

    RecurrentState decode_step(const Tensor& y_prev, const RecurrentState& s_prev, const Tensor& c) const {
        return decoder->step(concat({y_prev, c}, 1), s_prev);  // reads [E y_{t-1}; c]: (B, E + H) -> (B, H)
    }

    /// p(y_t | y_<t, c) reads off [s_t; c], as chapter 2 reads off [s_t; c_t].
    Tensor logits(const Tensor& s_and_c) const { return output.forward(s_and_c); }  // (..., V)

    RecurrentState initial_state(const Encoded& e) const {
        RecurrentState s{e.s0, {}};
        if (decoder->has_cell_state()) s.c = Tensor::zeros(e.s0.shape());  // LSTM memory cell starts empty
        return s;
    }

    // ---- Training: teacher forcing ----------------------------------------------------------------------

    Tensor loss(const PairBatch& batch, Rng& rng) const override {
        // EXERCISE ch1.teacher_forcing_loss (4 points): the training loss with teacher forcing
        const Encoded e = encode(batch.source, rng);
        const Tensor Y = drop.forward(target_embedding.forward(batch.target_in), rng);  // (B, T, E)
        const std::size_t B = Y.shape(0), T = Y.shape(1), E = Y.shape(2);
        RecurrentState s = initial_state(e);
        std::vector<Tensor> states;
        for (std::size_t t = 0; t < T; ++t) {
            s = decode_step(reshape(slice(Y, 1, t, t + 1), {B, E}), s, e.c);  // (B, H)
            states.push_back(concat({s.h, e.c}, 1));                         // (B, 2H)
        }
        const Tensor z = logits(drop.forward(stack(states, 1), rng));          // (B, T, V)
        return token_cross_entropy(z, batch.target_out, Vocabulary::pad);      // ()
        // END EXERCISE ch1.teacher_forcing_loss
    }

    // ---- Generation: the state the search carries, one row per hypothesis ---------------------------------
    // "s" (N, H) the decoder state, "c" (N, H) the source summary, "cell" (N, H) the LSTM's memory cell

    DecoderState start(const PaddedBatch& source) const override {
        Rng unused(0);
        const Encoded e = encode(source, unused);
        const RecurrentState s = initial_state(e);
        DecoderState state;
        state.set("s", s.h);
        state.set("c", e.c);
        if (s.c.defined()) state.set("cell", s.c);
        return state;
    }

    Tensor step(const std::vector<int>& previous, DecoderState& state) const override {
        const Tensor y_prev = target_embedding.forward(Ids(previous));  // (N, E)
        RecurrentState s{state["s"], decoder->has_cell_state() ? state["cell"] : Tensor()};
        s = decode_step(y_prev, s, state["c"]);
        state.set("s", s.h);
        if (s.c.defined()) state.set("cell", s.c);
        ++state.steps;
        return log_softmax(logits(concat({s.h, state["c"]}, 1)), -1);  // (N, V)
    }

    Embedding source_embedding;
    Recurrent encoder;
    Linear W_s;
    Embedding target_embedding;
    std::unique_ptr<RecurrentCell> decoder;
    Linear output;
    Dropout drop;

protected:
    void list(Lister& out) override {
        out.child("source_embedding", source_embedding);
        out.child("encoder", encoder);
        out.child("W_s", W_s);
        out.child("target_embedding", target_embedding);
        out.child("decoder", *decoder);
        out.child("output", output);
        out.child("drop", drop);  // listed so that eval() switches it off
    }
};

}  // namespace ch01
