// attn/nn/multi_head.hpp — multi-head attention (Vaswani et al. 2017, 3.2.2): the one attention
// kernel, scaled_dot_product_attention (attn/nn/attention.hpp), run on every head, with a key/value
// cache for decoding one position at a time.
#pragma once

#include "attn/nn/attention.hpp"
#include "attn/nn/layers.hpp"

namespace attn {

/// (B, T, D) -> (B, H, T, D/H): each head gets its own slice of the model width.
Tensor split_heads(const Tensor& x, std::size_t heads);
/// (B, H, T, d) -> (B, T, H*d): the heads side by side again; the inverse of split_heads.
Tensor merge_heads(const Tensor& x);

/// MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W^O,  head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)
/// The h per-head projections are one (D, D) Linear each for Q, K and V, split into heads of
/// d_k = D / h after projecting. Init as torch.nn.MultiheadAttention: W^Q, W^K, W^V Xavier-uniform
/// over the stacked (D, 3D) matrix, their biases 0; W^O uniform +-1/sqrt(D), its bias 0.
class MultiHeadAttention : public Module {
public:
    MultiHeadAttention(std::size_t dim, std::size_t heads, Rng& rng, real dropout = 0);

    struct Output {
        Tensor output;   // (B, Tq, D)
        Tensor weights;  // (B, H, Tq, Tk), before attention dropout
    };
    /// Keys and values already projected: K = key W^K, V = value W^V, each (B, Tk, D).
    struct KeysValues {
        Tensor K, V;
    };

    /// query (B, Tq, D), key and value (B, Tk, D); mask broadcastable to (B, H, Tq, Tk), nonzero =
    /// hidden (e.g. padding_mask reshaped to (B, 1, 1, Tk), causal_mask(T), or their sum), or empty.
    Output forward(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& mask, Rng& rng) const;

    // ---- decoding one position at a time ----
    /// The keys and values of `source` (B, Tk, D), projected once: what cross-attention reads at
    /// every decoding step.
    KeysValues project(const Tensor& source) const;
    /// An empty self-attention cache for a batch of B: K and V of shape (B, 0, D).
    KeysValues empty_cache(std::size_t batch) const;
    /// query (B, Tq, D) attends to already projected keys and values (B, Tk, D).
    Output attend(const Tensor& query, const KeysValues& keys_values, const Tensor& mask, Rng& rng) const;
    /// Self-attention of the newest position(s) x (B, 1, D): their keys and values are appended to
    /// `cache` ((B, t, D) -> (B, t+1, D)), then x attends to every position in it. The cache holds
    /// only the past and the present, so no causal mask is needed; `mask` may hide padding.
    Output attend_cached(const Tensor& x, KeysValues& cache, const Tensor& mask, Rng& rng) const;

    std::size_t heads;
    Linear W_q, W_k, W_v, W_o;
    Dropout attention_dropout;
    /// true: attend as written in the paper's terms, split_heads -> scaled_dot_product_attention ->
    /// merge_heads. false (the default): the same products by head_scores and head_context on the
    /// heads' columns in place, equal bit for bit (tests/test_nn_attention.cpp) without the four
    /// copies per call (the Transformer's training step: README, "Performance").
    bool composed = false;

protected:
    void list(Lister& out) override;
};

}  // namespace attn
