// Attention scores, masks and the shared normalise-and-sum steps (see attn/nn/attention.hpp).
#include "attn/nn/attention.hpp"

#include <cmath>
#include <limits>

namespace attn {

namespace {

constexpr real minus_inf = -std::numeric_limits<real>::infinity();

/// A parameter of the given shape, uniform in +-1/sqrt(fan_in) (torch.nn.Linear's default).
Tensor linear_init(const Shape& shape, std::size_t fan_in, Rng& rng) {
    const real k = real(1 / std::sqrt(double(fan_in)));
    return uniform(shape, -k, k, rng).set_requires_grad();
}

/// (B, S, A) x (A) -> (B, S): the v_a^T of additive and concat scores.
Tensor project_last(const Tensor& x, const Tensor& v) {
    const std::size_t B = x.shape(0), S = x.shape(1), A = x.shape(2);
    return reshape(matmul(reshape(x, {B * S, A}), reshape(v, {A, 1})), {B, S});
}

void check_query_keys(const char* who, const Tensor& query, std::size_t query_dim, const Tensor& keys) {
    if (query.dim() != 2 || query.shape(1) != query_dim) {
        fail(who, "query must be (B, " + std::to_string(query_dim) + "), got " + to_string(query.shape()));
    }
    if (keys.dim() != 3 || keys.shape(0) != query.shape(0)) {
        fail(who, "keys must be (B, S, *) with B = " + std::to_string(query.shape(0)) + ", got " +
                      to_string(keys.shape()));
    }
}

}  // namespace

// ---- masks and the shared steps ------------------------------------------------------------------

Tensor padding_mask(const std::vector<int>& lengths, std::size_t S) {
    std::vector<real> mask(lengths.size() * S);
    for (std::size_t b = 0; b < lengths.size(); ++b) {
        for (std::size_t j = 0; j < S; ++j) mask[b * S + j] = int(j) >= lengths[b] ? 1 : 0;
    }
    return Tensor::from({lengths.size(), S}, mask);
}

Tensor causal_mask(std::size_t T) {
    std::vector<real> mask(T * T);
    for (std::size_t i = 0; i < T; ++i)
        for (std::size_t j = 0; j < T; ++j) mask[i * T + j] = j > i ? 1 : 0;
    return Tensor::from({T, T}, mask);
}

Tensor masked_softmax(const Tensor& scores, const Tensor& mask) {
    if (!mask.defined()) return softmax(scores, -1);
    return softmax(masked_fill(scores, mask, minus_inf), -1);
}

Attention attend(const Tensor& scores, const Tensor& values, const Tensor& mask) {
    if (scores.dim() != 2 || values.dim() != 3 || values.shape(0) != scores.shape(0) ||
        values.shape(1) != scores.shape(1)) {
        fail("attend", "scores must be (B, S) and values (B, S, D), got " + to_string(scores.shape()) + " and " +
                           to_string(values.shape()));
    }
    // EXERCISE ch2.context_vector (3 points): attention weights over the real positions and the context vector c_t
    const std::size_t B = scores.shape(0), S = scores.shape(1), D = values.shape(2);
    const Tensor alpha = masked_softmax(scores, mask);                 // (B, S)
    const Tensor context = bmm(reshape(alpha, {B, 1, S}), values);    // (B, 1, D)
    return {reshape(context, {B, D}), alpha};
    // END EXERCISE ch2.context_vector
}

// ---- additive (Bahdanau) -------------------------------------------------------------------------

AdditiveScore::AdditiveScore(std::size_t query_dim, std::size_t key_dim, std::size_t attention_dim, Rng& rng)
    : W_a(linear_init({query_dim, attention_dim}, query_dim, rng)),
      U_a(linear_init({key_dim, attention_dim}, key_dim, rng)),
      v_a(linear_init({attention_dim}, attention_dim, rng)) {}

Tensor AdditiveScore::prepare(const Tensor& keys) const {
    if (keys.dim() != 3 || keys.shape(2) != U_a.shape(0)) {
        fail("AdditiveScore", "keys must be (B, S, " + std::to_string(U_a.shape(0)) + "), got " + to_string(keys.shape()));
    }
    const std::size_t B = keys.shape(0), S = keys.shape(1), Dk = keys.shape(2), A = U_a.shape(1);
    return reshape(matmul(reshape(keys, {B * S, Dk}), U_a), {B, S, A});  // U_a h_j: (B, S, A)
}

Tensor AdditiveScore::scores(const Tensor& query, const Tensor& prepared) const {
    check_query_keys("AdditiveScore", query, W_a.shape(0), prepared);
    // EXERCISE ch2.additive_score (4 points): the additive score e_tj = v_a^T tanh(W_a s_{t-1} + U_a h_j)
    const std::size_t B = query.shape(0), A = W_a.shape(1);
    const Tensor Ws = reshape(matmul(query, W_a), {B, 1, A});  // W_a s_{t-1}: (B, 1, A)
    return project_last(tanh(Ws + prepared), v_a);               // e_tj: (B, S)
    // END EXERCISE ch2.additive_score
}

void AdditiveScore::list(Lister& out) {
    out.parameter("W_a", W_a);
    out.parameter("U_a", U_a);
    out.parameter("v_a", v_a);
}

// ---- dot, general, concat (Luong) ----------------------------------------------------------------

Tensor DotScore::scores(const Tensor& query, const Tensor& prepared) const {
    check_query_keys("DotScore", query, query.dim() == 2 ? query.shape(1) : 0, prepared);
    const std::size_t B = query.shape(0), D = query.shape(1);
    if (prepared.shape(2) != D) {
        fail("DotScore", "query and keys need the same width, got " + to_string(query.shape()) + " and " +
                             to_string(prepared.shape()));
    }
    return reshape(bmm(prepared, reshape(query, {B, D, 1})), {B, prepared.shape(1)});  // h_t . hbar_s: (B, S)
}

GeneralScore::GeneralScore(std::size_t query_dim, std::size_t key_dim, Rng& rng)
    : W_a(linear_init({query_dim, key_dim}, key_dim, rng)) {}  // W_a hbar: a linear map of hbar

Tensor GeneralScore::prepare(const Tensor& keys) const {
    const std::size_t Dq = W_a.shape(0), Dk = W_a.shape(1);
    if (keys.dim() != 3 || keys.shape(2) != Dk) {
        fail("GeneralScore", "keys must be (B, S, " + std::to_string(Dk) + "), got " + to_string(keys.shape()));
    }
    const std::size_t B = keys.shape(0), S = keys.shape(1);
    // W_a hbar_s for every s: rows of hbar times W_a^T, (B*S, Dk) x (Dk, Dq)
    return reshape(matmul(reshape(keys, {B * S, Dk}), W_a, Trans::no, Trans::yes), {B, S, Dq});
}

Tensor GeneralScore::scores(const Tensor& query, const Tensor& prepared) const {
    check_query_keys("GeneralScore", query, W_a.shape(0), prepared);
    // EXERCISE ch3.general_score (3 points): Luong's general score h_t^T W_a hbar_s
    const std::size_t B = query.shape(0), Dq = W_a.shape(0);
    return reshape(bmm(prepared, reshape(query, {B, Dq, 1})), {B, prepared.shape(1)});  // h_t^T (W_a hbar_s)
    // END EXERCISE ch3.general_score
}

void GeneralScore::list(Lister& out) { out.parameter("W_a", W_a); }

ConcatScore::ConcatScore(std::size_t query_dim_, std::size_t key_dim, std::size_t attention_dim, Rng& rng)
    : query_dim(query_dim_),
      W_a(linear_init({query_dim_ + key_dim, attention_dim}, query_dim_ + key_dim, rng)),
      v_a(linear_init({attention_dim}, attention_dim, rng)) {}

Tensor ConcatScore::prepare(const Tensor& keys) const {
    const std::size_t Dk = W_a.shape(0) - query_dim, A = W_a.shape(1);
    if (keys.dim() != 3 || keys.shape(2) != Dk) {
        fail("ConcatScore", "keys must be (B, S, " + std::to_string(Dk) + "), got " + to_string(keys.shape()));
    }
    const std::size_t B = keys.shape(0), S = keys.shape(1);
    const Tensor W_key = slice(W_a, 0, query_dim, query_dim + Dk);                // (Dk, A)
    return reshape(matmul(reshape(keys, {B * S, Dk}), W_key), {B, S, A});      // hbar_s part: (B, S, A)
}

Tensor ConcatScore::scores(const Tensor& query, const Tensor& prepared) const {
    check_query_keys("ConcatScore", query, query_dim, prepared);
    const std::size_t B = query.shape(0), A = W_a.shape(1);
    const Tensor W_query = slice(W_a, 0, 0, query_dim);                           // (Dq, A)
    const Tensor Wh = reshape(matmul(query, W_query), {B, 1, A});                 // h_t part: (B, 1, A)
    return project_last(tanh(Wh + prepared), v_a);                               // (B, S)
}

void ConcatScore::list(Lister& out) {
    out.parameter("W_a", W_a);
    out.parameter("v_a", v_a);
}

// ---- scaled dot-product (Vaswani) ----------------------------------------------------------------

Attention scaled_dot_product_attention(const Tensor& Q, const Tensor& K, const Tensor& V, const Tensor& mask,
                                       real dropout_p, Rng* rng) {
    const std::size_t axes = Q.dim();
    bool ok = (axes == 3 || axes == 4) && K.dim() == axes && V.dim() == axes && Q.shape(-1) == K.shape(-1) &&
              K.shape(-2) == V.shape(-2);
    for (std::size_t a = 0; ok && a + 2 < axes; ++a) ok = Q.shape(int(a)) == K.shape(int(a)) && K.shape(int(a)) == V.shape(int(a));
    if (!ok) {
        fail("scaled_dot_product_attention", "needs Q (B, [H,] Tq, d), K (B, [H,] Tk, d), V (B, [H,] Tk, dv), got " +
                                                 to_string(Q.shape()) + ", " + to_string(K.shape()) + ", " +
                                                 to_string(V.shape()));
    }
    if (dropout_p > 0 && rng == nullptr) fail("scaled_dot_product_attention", "attention dropout needs a random generator");
    // EXERCISE ch5.scaled_dot_product_attention (4 points): softmax(Q K^T / sqrt(d_k)) V with a mask (and attention dropout)
    const real scale = real(1 / std::sqrt(double(Q.shape(-1))));
    const Tensor scores = bmm(Q, K, Trans::no, Trans::yes) * scale;  // (B, [H,] Tq, Tk): one product per (b, h)
    const Tensor weights = masked_softmax(scores, mask);            // (B, [H,] Tq, Tk)
    const Tensor kept = dropout_p > 0 ? dropout(weights, dropout_p, *rng, true) : weights;
    return {bmm(kept, V), weights};                                  // (B, [H,] Tq, dv)
    // END EXERCISE ch5.scaled_dot_product_attention
}

}  // namespace attn
