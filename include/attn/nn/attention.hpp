// attn/nn/attention.hpp — attention for encoder-decoder RNNs, and scaled dot-product attention.
//
// Every attention here has the same three steps:
//   1. score each key against the query:       e_j = score(query, key_j)      (B, S)
//   2. normalise over the real keys:           alpha_j = softmax_j(e_j)       (B, S), padding -> 0
//   3. take the weighted sum of the values:    c = sum_j alpha_j value_j      (B, D)
// Scores differ by paper; the steps do not. Masks are tensors whose nonzero entries mean "hide this
// key"; two masks combine by addition. The weights are returned for heatmaps and alignment metrics.
#pragma once

#include <vector>

#include "attn/nn/module.hpp"
#include "attn/ops.hpp"
#include "attn/random.hpp"

namespace attn {

/// (B, S): 1 at positions >= lengths[b] (padding), 0 at real positions.
Tensor padding_mask(const std::vector<int>& lengths, std::size_t S);
/// (T, T): 1 where the key comes after the query (j > i): what a decoder must not see.
Tensor causal_mask(std::size_t T);

/// softmax over the last axis with hidden entries set to -inf first. scores (..., S), mask
/// broadcastable to scores. A row whose keys are all hidden gives zero weights (never NaN).
Tensor masked_softmax(const Tensor& scores, const Tensor& mask);

struct Attention {
    Tensor context;  // the weighted sum of the values
    Tensor weights;  // the alpha's, rows summing to 1 over real keys (0 for a fully hidden row)
};

/// Steps 2 and 3 for one query per batch element: scores (B, S), values (B, S, D), mask (B, S)
/// (or an empty Tensor for none) -> context (B, D), weights (B, S).
Attention attend(const Tensor& scores, const Tensor& values, const Tensor& mask);

/// Step 1 for RNN attention: scores of one query (B, Dq) against S keys (B, S, Dk).
/// prepare() holds the work that depends only on the keys, done once per source sentence.
class AttentionScore : public Module {
public:
    /// keys (B, S, Dk) -> what scores() reads (B, S, *).
    virtual Tensor prepare(const Tensor& keys) const { return keys; }
    /// query (B, Dq), prepared keys -> e (B, S).
    virtual Tensor scores(const Tensor& query, const Tensor& prepared) const = 0;
    /// All three steps: context (B, Dk) and weights (B, S).
    Attention forward(const Tensor& query, const Tensor& prepared, const Tensor& values, const Tensor& mask) const {
        return attend(scores(query, prepared), values, mask);
    }
};

/// Bahdanau et al. 2015, additive:   e_tj = v_a^T tanh(W_a s_{t-1} + U_a h_j)
/// W_a (Dq, A), U_a (Dk, A), v_a (A); prepare() computes U_a h_j for every j once.
/// Init: uniform +-1/sqrt(fan_in) per matrix, as torch.nn.Linear (the paper has no biases here).
class AdditiveScore : public AttentionScore {
public:
    AdditiveScore(std::size_t query_dim, std::size_t key_dim, std::size_t attention_dim, Rng& rng);
    Tensor prepare(const Tensor& keys) const override;
    Tensor scores(const Tensor& query, const Tensor& prepared) const override;

    Tensor W_a, U_a, v_a;

protected:
    void list(Lister& out) override;
};

/// Luong et al. 2015, dot:   score(h_t, hbar_s) = h_t^T hbar_s     (Dq = Dk, no parameters)
class DotScore : public AttentionScore {
public:
    Tensor scores(const Tensor& query, const Tensor& prepared) const override;

protected:
    void list(Lister&) override {}
};

/// Luong et al. 2015, general:   score(h_t, hbar_s) = h_t^T W_a hbar_s     W_a (Dq, Dk)
/// prepare() computes W_a hbar_s for every s once, so a step is one batched dot product.
class GeneralScore : public AttentionScore {
public:
    GeneralScore(std::size_t query_dim, std::size_t key_dim, Rng& rng);
    Tensor prepare(const Tensor& keys) const override;
    Tensor scores(const Tensor& query, const Tensor& prepared) const override;

    Tensor W_a;

protected:
    void list(Lister& out) override;
};

/// Luong et al. 2015, concat:   score(h_t, hbar_s) = v_a^T tanh(W_a [h_t; hbar_s])
/// W_a (Dq + Dk, A), v_a (A). W_a [h; hbar] = h W_a[:Dq] + hbar W_a[Dq:]; prepare() does the second.
class ConcatScore : public AttentionScore {
public:
    ConcatScore(std::size_t query_dim, std::size_t key_dim, std::size_t attention_dim, Rng& rng);
    Tensor prepare(const Tensor& keys) const override;
    Tensor scores(const Tensor& query, const Tensor& prepared) const override;

    std::size_t query_dim;
    Tensor W_a, v_a;

protected:
    void list(Lister& out) override;
};

/// Vaswani et al. 2017:   Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V   — the one kernel every
/// Transformer attention runs through (attn/nn/multi_head.hpp calls it with a head axis).
/// Q (B, Tq, d_k), K (B, Tk, d_k), V (B, Tk, d_v), or each with a head axis after B: (B, H, T, d).
/// mask broadcastable to the scores (..., Tq, Tk), nonzero = hidden, or empty.
/// dropout_p > 0 (training) zeroes attention weights before they weigh V (rng draws the mask).
/// -> context (..., Tq, d_v), weights (..., Tq, Tk) before dropout.
Attention scaled_dot_product_attention(const Tensor& Q, const Tensor& K, const Tensor& V, const Tensor& mask,
                                       real dropout_p = 0, Rng* rng = nullptr);

}  // namespace attn
