// chapters/03_luong/model.hpp — Luong, Pham & Manning 2015, "Effective Approaches to
// Attention-based Neural Machine Translation", in the paper's symbols.
//
// Read top to bottom: the stacked LSTM encoder, the three scores (section 3.1), global attention
// (3.1), local attention with its aligned position p_t — monotonic (local-m) and predictive
// (local-p, eq. 9-10) — the attentional hidden state h~_t (eq. 5) with input feeding (3.3), training
// by teacher forcing, and the step function the library's search calls.
//
// Positions are 0-based here. The paper writes p_t = S sigmoid(v_p^T tanh(W_p h_t)) over 1-based
// positions 1..S; we use p_t = (S_b - 1) sigmoid(...) over 0..S_b-1 with S_b the sentence's own
// length, which covers exactly the real words (README, "Local attention").
#pragma once

#include <cmath>
#include <memory>
#include <string>

#include "attn/attn.hpp"
#include "attn/train/loss.hpp"
#include "attn/nn/attention.hpp"
#include "attn/nn/layers.hpp"
#include "attn/nn/recurrent.hpp"
#include "attn/seq2seq/model.hpp"

namespace ch03 {

using namespace attn;

enum class Score { dot, general, concat };
enum class Alignment { global, local_m, local_p };

struct Config {
    std::size_t embedding = 32;   // E
    std::size_t hidden = 64;      // H (encoder and decoder)
    std::size_t layers = 1;       // stacked LSTM layers, encoder and decoder (README: why 1 by default)
    Score score = Score::general;
    Alignment alignment = Alignment::local_p;
    bool input_feeding = true;
    std::size_t window = 3;       // D: the window is [p_t - D, p_t + D] (paper: 10, for 10-50 word sentences)
    bool renormalize = false;     // divide local-p weights by their sum after the Gaussian (paper: no)
    real dropout = 0;
};

inline std::unique_ptr<AttentionScore> make_score(Score score, std::size_t H, Rng& rng) {
    switch (score) {
        case Score::dot: return std::make_unique<DotScore>();                     // h_t^T hbar_s
        case Score::general: return std::make_unique<GeneralScore>(H, H, rng);    // h_t^T W_a hbar_s
        case Score::concat: return std::make_unique<ConcatScore>(H, H, H, rng);   // v_a^T tanh(W_a [h_t; hbar_s])
    }
    fail("make_score", "unknown score");
}

class Luong : public Seq2SeqModel {
public:
    Luong(std::size_t source_vocabulary, std::size_t target_vocabulary, const Config& config_, Rng& rng)
        : config(config_),
          source_embedding(source_vocabulary, config.embedding, rng, Vocabulary::pad),
          encoder(config.embedding, config.hidden, rng, {CellType::lstm, config.layers, false, config.dropout}),
          score(make_score(config.score, config.hidden, rng)),
          W_p(config.hidden, config.hidden, rng, false),
          v_p(Linear(config.hidden, 1, rng, false).W),  // drawn as a Linear(H -> 1) weight: (H, 1)
          target_embedding(target_vocabulary, config.embedding, rng, Vocabulary::pad),
          W_c(2 * config.hidden, config.hidden, rng, false),
          W_s(config.hidden, target_vocabulary, rng),
          drop(config.dropout) {
        if (config.window < 1) fail("Luong", "the window half-width D must be at least 1");
        const std::size_t first_input = config.embedding + (config.input_feeding ? config.hidden : 0);
        for (std::size_t l = 0; l < config.layers; ++l) {
            decoder.push_back(std::make_unique<LstmCell>(l == 0 ? first_input : config.hidden, config.hidden, rng));
        }
    }

    // ---- Encoder: a stacked LSTM; hbar_s are the top layer's states ------------------------------

    struct Encoded {
        Tensor hbar;        // (B, S, H) source states
        Tensor keys;        // (B, S, *) the score's key-side work, done once (attn::AttentionScore::prepare)
        Tensor padding;     // (B, S) 1 at padding
        Tensor last;        // (B, 1) S_b - 1: each sentence's last real position
        std::vector<RecurrentState> final_states;  // per layer: the decoder starts from these
    };

    Encoded encode(const PaddedBatch& source, Rng& rng) const {
        const Tensor x = drop.forward(source_embedding.forward(source.ids), rng);  // (B, S, E)
        const Recurrent::Output run = encoder.forward(x, source.lengths, rng);
        std::vector<real> last;
        for (int length : source.lengths) last.push_back(real(std::max(length, 1) - 1));
        return {run.outputs, score->prepare(run.outputs), source.mask, Tensor::from({last.size(), 1}, last), run.final_states};
    }

    // ---- Attention at step t: global, local-m or local-p ---------------------------------------------

    struct Attended {
        Tensor context;  // (B, H) c_t
        Tensor weights;  // (B, S) a_t
        Tensor p;        // (B, 1) aligned position p_t (local attention), empty for global
    };

    Attended attend_to_source(const Tensor& h_t, const Encoded& e, std::size_t t) const {
        const std::size_t B = h_t.shape(0), S = e.hbar.shape(1);
        const Tensor scores = score->scores(h_t, e.keys);  // score(h_t, hbar_s): (B, S)
        if (config.alignment == Alignment::global) {
            const Attention a = attend(scores, e.hbar, e.padding);  // a_t = softmax over all real s (eq. 7)
            return {a.context, a.weights, Tensor()};
        }
        // EXERCISE ch3.local_attention (5 points): local attention: the aligned position p_t (local-m, local-p), the window and the Gaussian
        // aligned position p_t, (B, 1)
        Tensor p;
        if (config.alignment == Alignment::local_m) {
            std::vector<real> position(B);  // p_t = t, clipped to the sentence (local-m)
            for (std::size_t b = 0; b < B; ++b) position[b] = std::min(real(t), e.last.at({b, 0}));
            p = Tensor::from({B, 1}, position);
        } else {
            // p_t = (S_b - 1) sigmoid(v_p^T tanh(W_p h_t))   (eq. 9, 0-based; real-valued, differentiable)
            p = e.last * sigmoid(matmul(tanh(W_p.forward(h_t)), v_p));  // (B, 1)
        }
        // the window [p_t - D, p_t + D], cut to the sentence: everything else is hidden (B, S)
        std::vector<real> outside(B * S);
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t s = 0; s < S; ++s) outside[b * S + s] = std::abs(real(s) - p.at({b, 0})) > real(config.window) ? 1 : 0;
        const Tensor hidden = e.padding + Tensor::from({B, S}, outside);  // masks combine by addition
        Tensor a = masked_softmax(scores, hidden);                         // align(h_t, hbar_s) over the window
        if (config.alignment == Alignment::local_p) {
            // a_t(s) = align(h_t, hbar_s) exp(-(s - p_t)^2 / (2 sigma^2)),  sigma = D / 2   (eq. 10)
            std::vector<real> positions(S);
            for (std::size_t s = 0; s < S; ++s) positions[s] = real(s);
            const real sigma = real(config.window) / 2;
            const Tensor distance = Tensor::from({1, S}, positions) - p;                     // (B, S)
            a = a * exp(distance * distance * real(-1 / (2 * sigma * sigma)));
            if (config.renormalize) a = a / (sum(a, -1, true) + real(1e-12));
        }
        const Tensor context = reshape(bmm(reshape(a, {B, 1, S}), e.hbar), {B, e.hbar.shape(2)});  // c_t = sum_s a_t(s) hbar_s
        return {context, a, p};
        // END EXERCISE ch3.local_attention
    }

    // ---- One decoder step: stacked LSTM, attention on the current h_t, then h~_t (eq. 5) -----------

    struct Step {
        std::vector<RecurrentState> states;  // per layer
        Tensor h_tilde;                      // (B, H) attentional hidden state
        Attended attention;
    };

    Step decode_step(const Tensor& y_prev, const Tensor& h_tilde_prev, const std::vector<RecurrentState>& states,
                     const Encoded& e, std::size_t t, Rng& rng) const {
        // EXERCISE ch3.decoder_step (4 points): one decoder step with input feeding and the attentional state h~_t = tanh(W_c [c_t; h_t])
        // input feeding (section 3.3): the previous attentional state joins the next input
        Tensor input = config.input_feeding ? concat({y_prev, h_tilde_prev}, 1) : y_prev;  // (B, E [+ H])
        Step step;
        for (std::size_t l = 0; l < decoder.size(); ++l) {
            if (l > 0) input = drop.forward(input, rng);
            step.states.push_back(decoder[l]->step(input, states[l]));
            input = step.states.back().h;  // (B, H)
        }
        const Tensor& h_t = input;  // the top layer's CURRENT state is the query (Bahdanau used s_{t-1})
        step.attention = attend_to_source(h_t, e, t);
        step.h_tilde = tanh(W_c.forward(concat({step.attention.context, h_t}, 1)));  // h~_t = tanh(W_c [c_t; h_t])
        return step;
        // END EXERCISE ch3.decoder_step
    }

    // ---- Training: teacher forcing ---------------------------------------------------------------------

    Tensor loss(const PairBatch& batch, Rng& rng) const override {
        const Encoded e = encode(batch.source, rng);
        const Tensor Y = drop.forward(target_embedding.forward(batch.target_in), rng);  // (B, T, E)
        const std::size_t B = Y.shape(0), T = Y.shape(1), E = Y.shape(2);
        std::vector<RecurrentState> states = e.final_states;  // decoder starts where the encoder ended
        Tensor h_tilde = Tensor::zeros({B, config.hidden});
        std::vector<Tensor> outputs;
        for (std::size_t t = 0; t < T; ++t) {
            const Step step = decode_step(reshape(slice(Y, 1, t, t + 1), {B, E}), h_tilde, states, e, t, rng);
            states = step.states;
            h_tilde = step.h_tilde;
            outputs.push_back(h_tilde);
        }
        const Tensor z = W_s.forward(drop.forward(stack(outputs, 1), rng));  // softmax(W_s h~_t): (B, T, V)
        return token_cross_entropy(z, batch.target_out, Vocabulary::pad);
    }

    // ---- Generation: the state the search carries, one row per hypothesis -------------------------------
    // the encoder's "hbar", "keys", "padding", "last"; "h_tilde" (N, H); the last step's "weights" (N, S)
    // and "p" (N, 1); "layer<l>.h" and "layer<l>.c" (N, H) of each decoder layer. state.steps is t.

    static std::string layer_name(std::size_t l, const char* part) { return "layer" + std::to_string(l) + "." + part; }

    DecoderState start(const PaddedBatch& source) const override {
        Rng unused(0);
        const Encoded e = encode(source, unused);
        const std::size_t B = source.lengths.size();
        DecoderState state;
        state.set("hbar", e.hbar);
        state.set("keys", e.keys);
        state.set("padding", e.padding);
        state.set("last", e.last);
        state.set("h_tilde", Tensor::zeros({B, config.hidden}));
        state.set("weights", Tensor::zeros(e.padding.shape()));
        state.set("p", Tensor::zeros({B, 1}));
        for (std::size_t l = 0; l < e.final_states.size(); ++l) {
            state.set(layer_name(l, "h"), e.final_states[l].h);
            state.set(layer_name(l, "c"), e.final_states[l].c);
        }
        return state;
    }

    Tensor step(const std::vector<int>& previous, DecoderState& state) const override {
        Rng unused(0);
        const Encoded e{state["hbar"], state["keys"], state["padding"], state["last"], {}};
        std::vector<RecurrentState> states;
        for (std::size_t l = 0; l < decoder.size(); ++l) states.push_back({state[layer_name(l, "h")], state[layer_name(l, "c")]});
        const Step step = decode_step(target_embedding.forward(Ids(previous)), state["h_tilde"], states, e, state.steps, unused);
        state.set("h_tilde", step.h_tilde);
        state.set("weights", step.attention.weights);
        if (step.attention.p.defined()) state.set("p", step.attention.p);
        for (std::size_t l = 0; l < decoder.size(); ++l) {
            state.set(layer_name(l, "h"), step.states[l].h);
            state.set(layer_name(l, "c"), step.states[l].c);
        }
        ++state.steps;
        return log_softmax(W_s.forward(step.h_tilde), -1);  // (N, V)
    }

    Tensor last_attention(const DecoderState& state) const override { return state["weights"]; }
    /// p_t of the last step (N, 1); zeros for global attention.
    Tensor last_position(const DecoderState& state) const { return state["p"]; }

    Config config;
    Embedding source_embedding;
    Recurrent encoder;
    std::unique_ptr<AttentionScore> score;
    Linear W_p;     // local-p: (H, H), no bias (eq. 9)
    Tensor v_p;     // local-p: (H, 1)
    Embedding target_embedding;
    std::vector<std::unique_ptr<LstmCell>> decoder;
    Linear W_c;     // (2H, H), no bias (eq. 5)
    Linear W_s;     // (H, V)
    Dropout drop;

protected:
    void list(Lister& out) override {
        out.child("source_embedding", source_embedding);
        out.child("encoder", encoder);
        out.child("score", *score);
        if (config.alignment == Alignment::local_p) {
            out.child("W_p", W_p);
            out.parameter("v_p", v_p);
        }
        out.child("target_embedding", target_embedding);
        for (std::size_t l = 0; l < decoder.size(); ++l) out.child("decoder.l" + std::to_string(l), *decoder[l]);
        out.child("W_c", W_c);
        out.child("W_s", W_s);
        out.child("drop", drop);  // listed so that eval() switches it off
    }
};

}  // namespace ch03
