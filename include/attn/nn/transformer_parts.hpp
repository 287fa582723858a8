// attn/nn/transformer_parts.hpp — the pieces of the Transformer (Vaswani et al. 2017) that are not
// in layers.hpp: sinusoidal positional encoding and multi-head attention.
#pragma once

#include "attn/nn/attention.hpp"
#include "attn/nn/layers.hpp"

namespace attn {

/// PE(pos, 2i) = sin(pos / 10000^(2i/d)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/d)).
/// (length, d) constant. (Seed article 002 writes sin for both; the paper has cos on odd indices.)
Tensor sinusoidal_positions(std::size_t length, std::size_t dim);

/// MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W^O,  head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)
/// The h per-head projections are one (D, D) Linear each for Q, K and V, split into heads of
/// d_k = D / h after projecting. Init as torch.nn.MultiheadAttention: W^Q, W^K, W^V Xavier-uniform
/// over the stacked (D, 3D) matrix, their biases 0; W^O uniform +-1/sqrt(D), its bias 0.
class MultiHeadAttention : public Module {
public:
    MultiHeadAttention(std::size_t dim, std::size_t heads, Rng& rng, real dropout = 0);

    struct Output {
        Tensor output;   // (B, Tq, D)
        Tensor weights;  // (B, H, Tq, Tk)
    };
    /// query (B, Tq, D), key and value (B, Tk, D); mask broadcastable to (B, H, Tq, Tk), nonzero =
    /// hidden (e.g. padding_mask reshaped to (B, 1, 1, Tk), causal_mask(T), or their sum), or empty.
    Output forward(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& mask, Rng& rng) const;
    /// The same from already projected Q = query W^Q, K = key W^K, V = value W^V (each (B, T, D)):
    /// lets a decoder cache the projected keys and values of past positions.
    Output attend(const Tensor& Q, const Tensor& K, const Tensor& V, const Tensor& mask, Rng& rng) const;

    std::size_t heads;
    Linear W_q, W_k, W_v, W_o;
    Dropout attention_dropout;

protected:
    void list(Lister& out) override;
};

/// (B, T, D) -> (B*H, T, D/H): each head becomes its own batch element.
Tensor split_heads(const Tensor& x, std::size_t heads);
/// (B*H, T, d) -> (B, T, H*d): the inverse of split_heads.
Tensor merge_heads(const Tensor& x, std::size_t heads);

}  // namespace attn
