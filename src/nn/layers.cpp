// Linear, Embedding, Dropout, LayerNorm, FeedForward — composed from engine ops.
#include "attn/nn/layers.hpp"

#include <cmath>

namespace attn {

Tensor xavier_uniform(std::size_t fan_in, std::size_t fan_out, Rng& rng) {
    const real a = real(std::sqrt(6.0 / double(fan_in + fan_out)));
    return uniform({fan_in, fan_out}, -a, a, rng).set_requires_grad();
}

// ---- Linear ------------------------------------------------------------------------------------

Linear::Linear(std::size_t in, std::size_t out, Rng& rng, bool bias) {
    const real k = real(1 / std::sqrt(double(in)));
    W = uniform({in, out}, -k, k, rng).set_requires_grad();
    if (bias) b = uniform({out}, -k, k, rng).set_requires_grad();
}

Tensor Linear::forward(const Tensor& x) const {
    const Shape shape = x.shape();
    if (shape.empty() || shape.back() != W.shape(0)) {
        fail("Linear", "input's last axis must be " + std::to_string(W.shape(0)) + ", got shape " + to_string(shape));
    }
    // (..., out): every position by W, one BLAS call, no copy of x; linear(x, W, b) is matmul(x, W) + b
    return b.defined() ? linear(x, W, b) : matmul(x, W);
}

void Linear::list(Lister& out) {
    out.parameter("W", W);
    if (b.defined()) out.parameter("b", b);
}

// ---- Embedding -----------------------------------------------------------------------------------

Embedding::Embedding(std::size_t vocabulary, std::size_t dim, Rng& rng, int padding_id_)
    : padding_id(padding_id_) {
    if (padding_id >= static_cast<int>(vocabulary)) {
        fail("Embedding", "padding id " + std::to_string(padding_id) + " is outside a vocabulary of " +
                              std::to_string(vocabulary));
    }
    weight = normal({vocabulary, dim}, 0, 1, rng);
    if (padding_id >= 0) std::fill_n(weight.data() + std::size_t(padding_id) * dim, dim, real(0));
    weight.set_requires_grad();
}

Tensor Embedding::forward(const Ids& ids) const { return embedding(weight, ids, padding_id); }

void Embedding::list(Lister& out) { out.parameter("weight", weight); }

// ---- Dropout -------------------------------------------------------------------------------------

Dropout::Dropout(real p_) : p(p_) {
    if (!(p >= 0 && p < 1)) fail("Dropout", "p must be in [0, 1), got " + std::to_string(p));
}

Tensor Dropout::forward(const Tensor& x, Rng& rng) const { return dropout(x, p, rng, training()); }

// ---- LayerNorm -----------------------------------------------------------------------------------

LayerNorm::LayerNorm(std::size_t dim, real eps_)
    : gamma(Tensor::full({dim}, 1).set_requires_grad()), beta(Tensor::zeros({dim}).set_requires_grad()), eps(eps_) {}

Tensor LayerNorm::forward(const Tensor& x) const {
    const Shape shape = x.shape();
    if (shape.empty() || shape.back() != gamma.size()) {
        fail("LayerNorm", "input's last axis must be " + std::to_string(gamma.size()) + ", got shape " +
                              to_string(shape));
    }
    return layer_norm(x, gamma, beta, eps);  // (..., D); the math is in attn/ops.hpp
}

void LayerNorm::list(Lister& out) {
    out.parameter("gamma", gamma);
    out.parameter("beta", beta);
}

// ---- FeedForward ---------------------------------------------------------------------------------

FeedForward::FeedForward(std::size_t dim, std::size_t hidden, Rng& rng, real dropout_p, Activation nonlinearity)
    : first(dim, hidden, rng), second(hidden, dim, rng), drop(dropout_p), activation(nonlinearity) {}

Tensor FeedForward::forward(const Tensor& x, Rng& rng) const {
    const Tensor a = first.forward(x);  // (..., d_ff)
    const Tensor h = drop.forward(activation == Activation::gelu ? gelu(a) : relu(a), rng);  // (..., d_ff)
    return second.forward(h);  // (..., D)
}

void FeedForward::list(Lister& out) {
    out.child("first", first);
    out.child("second", second);
    out.child("drop", drop);
}

}  // namespace attn
