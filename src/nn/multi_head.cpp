// Multi-head attention (see attn/nn/multi_head.hpp).
#include "attn/nn/multi_head.hpp"

#include <algorithm>
#include <cmath>

namespace attn {

Tensor split_heads(const Tensor& x, std::size_t heads) {
    // EXERCISE ch5.split_heads (2 points): (B, T, D) to (B, h, T, D/h): one slice of the model width per head
    const std::size_t B = x.shape(0), T = x.shape(1), D = x.shape(2), d = D / heads;
    return permute(reshape(x, {B, T, heads, d}), {0, 2, 1, 3});  // (B, T, H, d) -> (B, H, T, d)
    // END EXERCISE ch5.split_heads
}

Tensor merge_heads(const Tensor& x) {
    // EXERCISE ch5.merge_heads (2 points): (B, h, T, d) back to (B, T, h*d): the heads side by side
    const std::size_t B = x.shape(0), heads = x.shape(1), T = x.shape(2), d = x.shape(3);
    return reshape(permute(x, {0, 2, 1, 3}), {B, T, heads * d});  // (B, T, H, d) -> (B, T, D)
    // END EXERCISE ch5.merge_heads
}

namespace {

Linear zero_bias(Linear layer) {
    std::fill_n(layer.b.data(), layer.b.size(), real(0));
    return layer;
}

Linear xavier_projection(std::size_t dim, Rng& rng) {
    Linear layer = zero_bias(Linear(dim, dim, rng));
    const real a = real(std::sqrt(6.0 / double(dim + 3 * dim)));  // Xavier over the stacked (D, 3D)
    const Tensor w = uniform({dim, dim}, -a, a, rng);
    std::copy(w.data(), w.data() + w.size(), layer.W.data());
    return layer;
}

}  // namespace

MultiHeadAttention::MultiHeadAttention(std::size_t dim, std::size_t heads_, Rng& rng, real dropout)
    : heads(heads_),
      W_q(xavier_projection(dim, rng)),
      W_k(xavier_projection(dim, rng)),
      W_v(xavier_projection(dim, rng)),
      W_o(zero_bias(Linear(dim, dim, rng))),
      attention_dropout(dropout) {
    if (heads == 0 || dim % heads != 0) {
        fail("MultiHeadAttention", "width " + std::to_string(dim) + " is not divisible into " +
                                       std::to_string(heads) + " heads");
    }
}

MultiHeadAttention::Output MultiHeadAttention::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                                       const Tensor& mask, Rng& rng) const {
    const std::size_t D = W_q.W.shape(0);
    if (query.dim() != 3 || key.dim() != 3 || value.dim() != 3 || query.shape(2) != D || key.shape(2) != D ||
        value.shape(2) != D || key.shape(1) != value.shape(1) || query.shape(0) != key.shape(0)) {
        fail("MultiHeadAttention", "needs query (B, Tq, " + std::to_string(D) + ") and key, value (B, Tk, " +
                                       std::to_string(D) + "), got " + to_string(query.shape()) + ", " +
                                       to_string(key.shape()) + ", " + to_string(value.shape()));
    }
    return attend(query, {W_k.forward(key), W_v.forward(value)}, mask, rng);
}

MultiHeadAttention::KeysValues MultiHeadAttention::project(const Tensor& source) const {
    return {W_k.forward(source), W_v.forward(source)};  // (B, Tk, D) each
}

MultiHeadAttention::KeysValues MultiHeadAttention::empty_cache(std::size_t batch) const {
    const std::size_t D = W_k.W.shape(1);
    return {Tensor::zeros({batch, 0, D}), Tensor::zeros({batch, 0, D})};
}

MultiHeadAttention::Output MultiHeadAttention::attend(const Tensor& query, const KeysValues& keys_values,
                                                      const Tensor& mask, Rng& rng) const {
    const real p = attention_dropout.training() ? attention_dropout.p : real(0);
    const Tensor Q = W_q.forward(query);  // (B, Tq, D): head h is columns [h d, (h + 1) d), as in K and V
    if (composed) {  // the readable form: copy each head out, attend, put the heads side by side
        const Attention a = scaled_dot_product_attention(split_heads(Q, heads), split_heads(keys_values.K, heads),
                                                         split_heads(keys_values.V, heads), mask, p, &rng);  // (B, H, Tq, d)
        return {W_o.forward(merge_heads(a.context)), a.weights};                                           // (B, Tq, D)
    }
    // The same products on the heads' own columns, with no copies (equal bit for bit: tests)
    const real scale = real(1 / std::sqrt(double(Q.shape(2) / heads)));
    const Tensor weights = masked_softmax(head_scores(Q, keys_values.K, heads) * scale, mask);  // (B, H, Tq, Tk)
    const Tensor kept = p > 0 ? dropout(weights, p, rng, true) : weights;
    return {W_o.forward(head_context(kept, keys_values.V)), weights};  // (B, Tq, D)
}

MultiHeadAttention::Output MultiHeadAttention::attend_cached(const Tensor& x, KeysValues& cache, const Tensor& mask,
                                                             Rng& rng) const {
    cache.K = concat({cache.K, W_k.forward(x)}, 1);  // (B, t+1, D): every position so far
    cache.V = concat({cache.V, W_v.forward(x)}, 1);
    return attend(x, cache, mask, rng);
}

void MultiHeadAttention::list(Lister& out) {
    out.child("W_q", W_q);
    out.child("W_k", W_k);
    out.child("W_v", W_v);
    out.child("W_o", W_o);
    out.child("attention_dropout", attention_dropout);  // listed so that eval() switches it off
}

}  // namespace attn
