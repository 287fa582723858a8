// chapters/05_transformer/model.hpp — Vaswani et al. 2017, "Attention Is All You Need", in the
// paper's symbols, on the same engine as every other chapter.
//
// Read top to bottom: the decoder layer (3.1; attention 3.2, feed-forward 3.3, residual + LayerNorm,
// post-norm as in the paper or pre-norm; the encoder layer is the library's, attn/nn/transformer.hpp),
// embeddings with positional encoding (3.4-3.5), the stacks, training with label smoothing (5.4), and incremental decoding
// with a key/value cache for the library's greedy and beam search.
//
// Where we differ from the Annotated Transformer: it implements pre-norm although the paper (and
// its own text) describe post-norm — we default to post-norm and offer pre-norm; and its LayerNorm
// divides by the unbiased std plus eps, while we use torch.nn.LayerNorm's biased variance with eps
// inside the square root.
#pragma once

#include <cmath>

#include "attn/attn.hpp"
#include "attn/train/loss.hpp"
#include "attn/nn/attention.hpp"
#include "attn/nn/layers.hpp"
#include "attn/nn/multi_head.hpp"
#include "attn/nn/normalization.hpp"
#include "attn/nn/positional_encoding.hpp"
#include "attn/nn/transformer.hpp"
#include "attn/seq2seq/model.hpp"

namespace ch05 {

using namespace attn;

struct Config {
    std::size_t d_model = 64;     // D
    std::size_t heads = 4;        // h
    std::size_t d_ff = 256;       // inner width of the feed-forward network
    std::size_t layers = 2;       // N, encoder and decoder
    real dropout = 0.1;           // P_drop (5.4); the executable defaults to 0 (README, "Settings")
    real label_smoothing = 0.1;   // eps_ls (5.4)
    bool pre_norm = false;        // x + Sublayer(Norm(x)) instead of Norm(x + Sublayer(x))
    Normalization norm = Normalization::layer;  // the paper's LayerNorm, or BatchNorm, RMSNorm, none
    bool positions = true;        // add the sinusoidal positional encoding (off: experiment 2)
    bool share_embeddings = false;  // one table for source and target (needs one vocabulary)
    bool tie_output = false;        // the output projection is the target embedding, transposed

    /// One encoder or decoder layer's sizes and choices (ReLU in the feed-forward, as the paper).
    EncoderLayerConfig layer() const { return {d_model, heads, d_ff, dropout, pre_norm, norm, Activation::relu}; }
};

// Norm, Residual and EncoderLayer — the sublayer connection and the encoder layer (3.1; attention 3.2,
// feed-forward 3.3) — are the library's (attn/nn/transformer.hpp), shared with chapter 6 (BERT).

// ---- Decoder layer: masked self-attention, cross-attention over the encoder, feed-forward -------------

class DecoderLayer : public Module {
public:
    DecoderLayer(const Config& c, Rng& rng)
        : self_attention(c.d_model, c.heads, rng, c.dropout), cross_attention(c.d_model, c.heads, rng, c.dropout),
          ffn(c.d_model, c.d_ff, rng, c.dropout), first(c.d_model, c.dropout, c.pre_norm, c.norm),
          second(c.d_model, c.dropout, c.pre_norm, c.norm), third(c.d_model, c.dropout, c.pre_norm, c.norm) {}

    /// What a layer keeps while decoding one position at a time: the projected keys and values of
    /// its own past (self, growing by one position per step) and of the encoder (cross, computed once).
    struct Cache {
        MultiHeadAttention::KeysValues self, cross;
    };

    /// y (B, T, D) attends to itself under `self_mask` (causal (T, T), + padding) and to `memory`
    /// (B, S, D) under `memory_mask` (B, 1, 1, S); padding (B, T) marks y's padding positions (or
    /// Tensor()). With a cache, y holds only the new position and attends to the cached keys and
    /// values instead. Weights of both attentions are returned if asked.
    Tensor forward(const Tensor& y, const Tensor& memory, const Tensor& self_mask, const Tensor& memory_mask, const Tensor& padding,
                   Rng& rng, Cache* cache = nullptr, Tensor* self_weights = nullptr, Tensor* cross_weights = nullptr) const {
        const Tensor a = first(y, padding, [&](const Tensor& z) {
            const MultiHeadAttention::Output o = cache != nullptr ? self_attention.attend_cached(z, cache->self, self_mask, rng)
                                                                  : self_attention.forward(z, z, z, self_mask, rng);
            if (self_weights != nullptr) *self_weights = o.weights;
            return o.output;
        }, rng);
        const Tensor b = second(a, padding, [&](const Tensor& z) {
            const MultiHeadAttention::Output o = cache != nullptr ? cross_attention.attend(z, cache->cross, memory_mask, rng)
                                                                  : cross_attention.forward(z, memory, memory, memory_mask, rng);
            if (cross_weights != nullptr) *cross_weights = o.weights;
            return o.output;
        }, rng);
        return third(b, padding, [&](const Tensor& z) { return ffn.forward(z, rng); }, rng);
    }

    MultiHeadAttention self_attention, cross_attention;
    FeedForward ffn;
    Residual first, second, third;

protected:
    void list(Lister& out) override {
        out.child("self_attention", self_attention);
        out.child("cross_attention", cross_attention);
        out.child("ffn", ffn);
        out.child("first", first);
        out.child("second", second);
        out.child("third", third);
    }
};

// ---- The Transformer -----------------------------------------------------------------------------------

class Transformer : public Seq2SeqModel {
public:
    Transformer(std::size_t source_vocabulary, std::size_t target_vocabulary, const Config& c, Rng& rng)
        : config(c),
          source_embedding(source_vocabulary, c.d_model, rng, Vocabulary::pad),
          target_embedding(target_vocabulary, c.d_model, rng, Vocabulary::pad),
          output(c.d_model, target_vocabulary, rng),
          final_encoder_norm(c.d_model, c.norm),
          final_decoder_norm(c.d_model, c.norm),
          drop(c.dropout) {
        if (c.share_embeddings && source_vocabulary != target_vocabulary) {
            fail("Transformer", "shared embeddings need one vocabulary for source and target");
        }
        if (c.d_model % c.heads != 0) fail("Transformer", "d_model must be divisible by the number of heads");
        // Embeddings start as N(0, 1/d_model) (as in the authors' tensor2tensor), so that after the
        // sqrt(d_model) scaling of 3.4 they have unit variance, like the positional encoding. With
        // torch's default N(0, 1) they would be 8 times larger than PE at d_model = 64, drowning
        // the word order.
        for (Embedding* table : {&source_embedding, &target_embedding}) {
            real* w = table->weight.data();
            for (std::size_t i = 0; i < table->weight.size(); ++i) w[i] *= real(1 / std::sqrt(double(c.d_model)));
        }
        for (std::size_t l = 0; l < c.layers; ++l) {
            encoder.push_back(std::make_unique<EncoderLayer>(c.layer(), rng));
            decoder.push_back(std::make_unique<DecoderLayer>(c, rng));
        }
    }

    /// Embedding * sqrt(d_model) + PE (3.4-3.5), then dropout. ids (B, T) -> (B, T, D); positions
    /// start at `offset` (incremental decoding).
    Tensor embed(const Embedding& table, const Ids& ids, std::size_t offset, Rng& rng) const {
        const std::size_t T = ids.shape[1], D = config.d_model;
        Tensor x = table.forward(ids) * real(std::sqrt(double(D)));                            // (B, T, D)
        if (config.positions) x = x + slice(sinusoidal_positions(offset + T, D), 0, offset, offset + T);  // + PE (T, D)
        return drop.forward(x, rng);
    }

    const Embedding& source_table() const { return config.share_embeddings ? target_embedding : source_embedding; }

    /// z (B, T, D) -> logits (B, T, V): W_out, or the target embedding transposed when tied.
    Tensor project(const Tensor& z) const {
        if (!config.tie_output) return output.forward(z);
        const std::size_t B = z.shape(0), T = z.shape(1), D = z.shape(2);
        const Tensor logits = matmul(reshape(z, {B * T, D}), target_embedding.weight, Trans::no, Trans::yes);  // (B*T, V)
        return reshape(logits, {B, T, target_embedding.weight.shape(0)});
    }

    // ---- Encoder stack ----------------------------------------------------------------------------------

    struct Encoded {
        Tensor memory;  // (B, S, D)
        Tensor mask;    // (B, 1, 1, S): 1 at padding
    };

    Encoded encode(const PaddedBatch& source, Rng& rng, std::vector<Tensor>* weights = nullptr) const {
        const std::size_t B = source.lengths.size(), S = source.ids.shape[1];
        const Tensor mask = reshape(source.mask, {B, 1, 1, S});
        Tensor x = embed(source_table(), source.ids, 0, rng);  // (B, S, D)
        for (const auto& layer : encoder) {
            Tensor w;
            x = layer->forward(x, mask, source.mask, rng, weights ? &w : nullptr);
            if (weights) weights->push_back(w);
        }
        if (config.pre_norm) x = final_encoder_norm.forward(x, source.mask);  // pre-norm stacks end with a normalisation
        return {x, mask};
    }

    // ---- Decoder stack, all positions at once (training) --------------------------------------------------

    Tensor decode(const Ids& target_in, const Encoded& e, Rng& rng, std::vector<Tensor>* self_weights = nullptr,
                  std::vector<Tensor>* cross_weights = nullptr) const {
        const std::size_t B = target_in.shape[0], T = target_in.shape[1];
        std::vector<real> pad(B * T);
        for (std::size_t i = 0; i < B * T; ++i) pad[i] = target_in.values[i] == Vocabulary::pad ? 1 : 0;
        // a position sees itself and the past (causal (T, T)), never a padding position (B, 1, 1, T)
        const Tensor padding = Tensor::from({B, T}, pad);
        const Tensor self_mask = causal_mask(T) + reshape(padding, {B, 1, 1, T});
        Tensor y = embed(target_embedding, target_in, 0, rng);  // (B, T, D)
        for (const auto& layer : decoder) {
            Tensor sw, cw;
            y = layer->forward(y, e.memory, self_mask, e.mask, padding, rng, nullptr, self_weights ? &sw : nullptr,
                               cross_weights ? &cw : nullptr);
            if (self_weights) self_weights->push_back(sw);
            if (cross_weights) cross_weights->push_back(cw);
        }
        if (config.pre_norm) y = final_decoder_norm.forward(y, padding);
        return project(y);  // (B, T, V)
    }

    // ---- Training: label-smoothed cross-entropy (5.4), never on padding ------------------------------------

    Tensor loss(const PairBatch& batch, Rng& rng) const override {
        const Encoded e = encode(batch.source, rng);
        const Tensor logits = decode(batch.target_in, e, rng);                                   // (B, T, V)
        return token_cross_entropy(logits, batch.target_out, Vocabulary::pad, config.label_smoothing);
    }

    /// The lowest loss label smoothing allows: the loss is the cross-entropy against the smoothed
    /// target q (1 - eps + eps/K on the right token, eps/K on each of the other K - 1 predictable
    /// tokens, K = V - 1 without padding), which is smallest when the model predicts q exactly:
    /// then it equals q's entropy,  H(q) = -(1 - eps + eps/K) ln(1 - eps + eps/K) - (K - 1)(eps/K) ln(eps/K).
    static double smoothing_floor(std::size_t target_vocabulary, double eps) {
        if (eps <= 0) return 0;
        const double K = double(target_vocabulary - 1), right = 1 - eps + eps / K, other = eps / K;
        return -right * std::log(right) - (K - 1) * other * std::log(other);
    }

    // ---- Generation: the encoder once, then one position at a time with cached keys and values -------------
    // The state: "memory" (N, S, D), "memory_mask" (N, 1, 1, S), "cross_weights" of the last step
    // (N, h, 1, S), and per decoder layer l the cache "layer<l>.self_K", "layer<l>.self_V" (N, t, D)
    // and "layer<l>.cross_K", "layer<l>.cross_V" (N, S, D). state.steps is the next position.

    static std::string cache_name(std::size_t l, const char* part) { return "layer" + std::to_string(l) + "." + part; }

    DecoderState start(const PaddedBatch& source) const override {
        Rng unused(0);
        const Encoded e = encode(source, unused);
        const std::size_t N = source.lengths.size(), S = e.memory.shape(1);
        DecoderState state;
        state.set("memory", e.memory);
        state.set("memory_mask", e.mask);
        state.set("cross_weights", Tensor::zeros({N, config.heads, 1, S}));
        for (std::size_t l = 0; l < decoder.size(); ++l) {
            const MultiHeadAttention::KeysValues self = decoder[l]->self_attention.empty_cache(N);
            const MultiHeadAttention::KeysValues cross = decoder[l]->cross_attention.project(e.memory);
            state.set(cache_name(l, "self_K"), self.K);
            state.set(cache_name(l, "self_V"), self.V);
            state.set(cache_name(l, "cross_K"), cross.K);
            state.set(cache_name(l, "cross_V"), cross.V);
        }
        return state;
    }

    Tensor step(const std::vector<int>& previous, DecoderState& state) const override {
        Rng unused(0);
        const std::size_t N = previous.size();
        Tensor y = embed(target_embedding, Ids({N, 1}, previous), state.steps, unused);  // (N, 1, D): the new position only
        Tensor cross;
        for (std::size_t l = 0; l < decoder.size(); ++l) {
            DecoderLayer::Cache cache{{state[cache_name(l, "self_K")], state[cache_name(l, "self_V")]},
                                      {state[cache_name(l, "cross_K")], state[cache_name(l, "cross_V")]}};
            // one position, no padding (evaluation: BatchNorm uses its running statistics)
            y = decoder[l]->forward(y, state["memory"], Tensor(), state["memory_mask"], Tensor(), unused, &cache, nullptr, &cross);
            state.set(cache_name(l, "self_K"), cache.self.K);
            state.set(cache_name(l, "self_V"), cache.self.V);
        }
        if (config.pre_norm) y = final_decoder_norm.forward(y, Tensor());
        state.set("cross_weights", cross);
        ++state.steps;
        return log_softmax(reshape(project(y), {N, target_embedding.weight.shape(0)}), -1);  // (N, V)
    }

    /// The last step's cross-attention of the top layer, averaged over heads: (N, S).
    Tensor last_attention(const DecoderState& state) const override {
        const Tensor& w = state["cross_weights"];  // (N, h, 1, S)
        return reshape(mean(w, 1), {w.shape(0), w.shape(3)});
    }

    Config config;
    Embedding source_embedding, target_embedding;
    std::vector<std::unique_ptr<EncoderLayer>> encoder;
    std::vector<std::unique_ptr<DecoderLayer>> decoder;
    Linear output;
    Norm final_encoder_norm, final_decoder_norm;
    Dropout drop;

protected:
    void list(Lister& out) override {
        if (!config.share_embeddings) out.child("source_embedding", source_embedding);
        out.child("target_embedding", target_embedding);
        for (std::size_t l = 0; l < encoder.size(); ++l) out.child("encoder.l" + std::to_string(l), *encoder[l]);
        for (std::size_t l = 0; l < decoder.size(); ++l) out.child("decoder.l" + std::to_string(l), *decoder[l]);
        if (!config.tie_output) out.child("output", output);
        if (config.pre_norm) {
            out.child("final_encoder_norm", final_encoder_norm);
            out.child("final_decoder_norm", final_decoder_norm);
        }
        out.child("drop", drop);
    }
};

}  // namespace ch05
