// Positional encoding and multi-head attention (see attn/nn/transformer_parts.hpp).
#include "attn/nn/transformer_parts.hpp"

#include <cmath>
#include <limits>

namespace attn {

Tensor sinusoidal_positions(std::size_t length, std::size_t dim) {
    // EXERCISE ch5.positional_encoding (3 points): the sinusoidal positional encoding PE(pos, 2i) = sin, PE(pos, 2i+1) = cos
    std::vector<real> pe(length * dim);
    for (std::size_t pos = 0; pos < length; ++pos) {
        for (std::size_t k = 0; k < dim; ++k) {
            const std::size_t two_i = k - k % 2;  // the even index of the sin/cos pair
            const double angle = double(pos) / std::pow(10000.0, double(two_i) / double(dim));
            pe[pos * dim + k] = real(k % 2 == 0 ? std::sin(angle) : std::cos(angle));
        }
    }
    return Tensor::from({length, dim}, pe);
    // END EXERCISE ch5.positional_encoding
}

Tensor split_heads(const Tensor& x, std::size_t heads) {
    // EXERCISE ch5.split_heads (2 points): (B, T, D) to (B*h, T, D/h): one slice of the model width per head
    const std::size_t B = x.shape(0), T = x.shape(1), D = x.shape(2), d = D / heads;
    const Tensor per_head = permute(reshape(x, {B, T, heads, d}), {0, 2, 1, 3});  // (B, H, T, d)
    return reshape(per_head, {B * heads, T, d});                                  // (B*H, T, d)
    // END EXERCISE ch5.split_heads
}

Tensor merge_heads(const Tensor& x, std::size_t heads) {
    // EXERCISE ch5.merge_heads (2 points): (B*h, T, d) back to (B, T, h*d): the heads side by side
    const std::size_t BH = x.shape(0), T = x.shape(1), d = x.shape(2), B = BH / heads;
    const Tensor per_head = permute(reshape(x, {B, heads, T, d}), {0, 2, 1, 3});  // (B, T, H, d)
    return reshape(per_head, {B, T, heads * d});                                  // (B, T, D)
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
    return attend(W_q.forward(query), W_k.forward(key), W_v.forward(value), mask, rng);
}

MultiHeadAttention::Output MultiHeadAttention::attend(const Tensor& Q_all, const Tensor& K_all, const Tensor& V_all,
                                                      const Tensor& mask, Rng& rng) const {
    const std::size_t B = Q_all.shape(0), Tq = Q_all.shape(1), Tk = K_all.shape(1), D = Q_all.shape(2), d = D / heads;
    const Tensor Q = split_heads(Q_all, heads);  // (B*H, Tq, d)
    const Tensor K = split_heads(K_all, heads);  // (B*H, Tk, d)
    const Tensor V = split_heads(V_all, heads);  // (B*H, Tk, d)

    const real scale = real(1 / std::sqrt(double(d)));
    const Tensor scores = reshape(bmm(Q, K, Trans::no, Trans::yes) * scale, {B, heads, Tq, Tk});
    const Tensor weights = masked_softmax(scores, mask);                       // (B, H, Tq, Tk)
    const Tensor dropped = attention_dropout.forward(weights, rng);
    const Tensor heads_out = bmm(reshape(dropped, {B * heads, Tq, Tk}), V);    // (B*H, Tq, d)
    return {W_o.forward(merge_heads(heads_out, heads)), weights};              // (B, Tq, D)
}

void MultiHeadAttention::list(Lister& out) {
    out.child("W_q", W_q);
    out.child("W_k", W_k);
    out.child("W_v", W_v);
    out.child("W_o", W_o);
    out.child("attention_dropout", attention_dropout);  // listed so that eval() switches it off
}

}  // namespace attn
