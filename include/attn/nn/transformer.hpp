// attn/nn/transformer.hpp — the Transformer encoder layer (Vaswani et al. 2017, 3.1) and the
// sublayer connection it is built from, shared by chapter 5 (the Transformer) and chapter 6 (BERT).
//
//   Norm          LayerNorm as the paper, or RMSNorm, BatchNorm, none (chapter 5's normalisation study)
//   Residual      the sublayer connection: post-norm Norm(x + Dropout(f(x))) as the paper and BERT,
//                 or pre-norm x + Dropout(f(Norm(x)))
//   EncoderLayer  self-attention, then the position-wise feed-forward network, each in a Residual
//
// The decoder layer lives in chapter 5, the only chapter that decodes with a Transformer.
#pragma once

#include "attn/nn/layers.hpp"
#include "attn/nn/module.hpp"
#include "attn/nn/multi_head.hpp"
#include "attn/nn/normalization.hpp"

namespace attn {

/// Which normalisation the sublayer connections use.
enum class Normalization { layer, batch, rms, none };

/// The sizes and choices of one encoder layer.
struct EncoderLayerConfig {
    std::size_t d_model = 64;  // D
    std::size_t heads = 4;     // h
    std::size_t d_ff = 256;    // inner width of the feed-forward network
    real dropout = 0;          // P_drop: on attention weights, the hidden activation and each sublayer's output
    bool pre_norm = false;     // x + Sublayer(Norm(x)) instead of Norm(x + Sublayer(x))
    Normalization norm = Normalization::layer;
    Activation activation = Activation::relu;  // ReLU in the paper, GELU in BERT
};

/// x (B, T, D) -> (B, T, D). padding (B, T): 1 at padding positions, or Tensor() for none; only
/// BatchNorm looks at it, to leave padding out of its batch statistics.
class Norm : public Module {
public:
    Norm(std::size_t D, Normalization which);
    Tensor forward(const Tensor& x, const Tensor& padding) const;

    Normalization kind;
    LayerNorm layer;
    RMSNorm rms;
    BatchNorm batch;

protected:
    void list(Lister& out) override;  // only the one in use: its parameters are the model's
};

/// The sublayer connection, residual + normalisation.
class Residual : public Module {
public:
    Residual(std::size_t D, real dropout, bool pre_norm, Normalization which) : norm(D, which), drop(dropout), pre(pre_norm) {}

    /// post-norm: Norm(x + Dropout(f(x)));  pre-norm: x + Dropout(f(Norm(x))).  x (B, T, D), padding (B, T).
    template <class F>
    Tensor operator()(const Tensor& x, const Tensor& padding, F&& sublayer, Rng& rng) const {
        if (pre) return x + drop.forward(sublayer(norm.forward(x, padding)), rng);
        return norm.forward(x + drop.forward(sublayer(x), rng), padding);
    }

    Norm norm;
    Dropout drop;
    bool pre;

protected:
    void list(Lister& out) override;
};

/// Self-attention, then the position-wise feed-forward network.
class EncoderLayer : public Module {
public:
    EncoderLayer(const EncoderLayerConfig& c, Rng& rng);

    /// x (B, S, D), mask (B, 1, 1, S): 1 at padding keys, padding (B, S): the same as positions
    /// -> (B, S, D). weights_out: the attention weights (B, h, S, S).
    Tensor forward(const Tensor& x, const Tensor& mask, const Tensor& padding, Rng& rng, Tensor* weights_out = nullptr) const;

    MultiHeadAttention self_attention;
    FeedForward ffn;
    Residual first, second;

protected:
    void list(Lister& out) override;
};

}  // namespace attn
