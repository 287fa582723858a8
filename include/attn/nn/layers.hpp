// attn/nn/layers.hpp — the basic layers: Linear, Embedding, Dropout, LayerNorm, FeedForward.
//
// Weight layout everywhere: W is (in, out) and y = x W + b (README glossary). Initialisation
// follows PyTorch's defaults, named per layer; every draw comes from the Rng passed in, so the
// same seed gives the same model.
#pragma once

#include "attn/nn/module.hpp"
#include "attn/ops.hpp"
#include "attn/random.hpp"

namespace attn {

/// y = x W + b.   x (..., in) -> y (..., out).
/// Init (torch.nn.Linear): W and b uniform in +-1/sqrt(in).
class Linear : public Module {
public:
    Linear(std::size_t in, std::size_t out, Rng& rng, bool bias = true);
    Tensor forward(const Tensor& x) const;

    Tensor W;  // (in, out)
    Tensor b;  // (out), or empty when bias = false

protected:
    void list(Lister& out) override;
};

/// Rows of a table by id.   ids (...) -> (..., D).
/// Init (torch.nn.Embedding): N(0, 1); the padding row (if padding_id >= 0) starts at zero and
/// never receives a gradient, so it stays zero.
class Embedding : public Module {
public:
    Embedding(std::size_t vocabulary, std::size_t dim, Rng& rng, int padding_id = -1);
    Tensor forward(const Ids& ids) const;

    Tensor weight;  // (V, D)
    int padding_id;

protected:
    void list(Lister& out) override;
};

/// Inverted dropout while training (see attn::dropout); the identity in evaluation mode.
class Dropout : public Module {
public:
    explicit Dropout(real p);
    Tensor forward(const Tensor& x, Rng& rng) const;

    real p;

protected:
    void list(Lister&) override {}
};

/// Layer normalisation over the last axis, as torch.nn.LayerNorm (Ba, Kiros, Hinton 2016):
///   mu = mean(x), var = mean((x - mu)^2) (biased), y = (x - mu) / sqrt(var + eps) * gamma + beta
/// x (..., D) -> (..., D). Init: gamma = 1, beta = 0.
class LayerNorm : public Module {
public:
    explicit LayerNorm(std::size_t dim, real eps = real(1e-5));
    Tensor forward(const Tensor& x) const;

    Tensor gamma, beta;  // (D)
    real eps;

protected:
    void list(Lister& out) override;
};

/// The feed-forward network's nonlinearity: ReLU (Vaswani et al.) or GELU (BERT, Devlin et al.).
enum class Activation { relu, gelu };

/// Position-wise feed-forward network (Vaswani et al. 2017, eq. 2):
///   FFN(x) = max(0, x W_1 + b_1) W_2 + b_2      x (..., D) -> (..., D), hidden width d_ff;
/// with Activation::gelu, GELU(x W_1 + b_1) W_2 + b_2 as BERT.
class FeedForward : public Module {
public:
    FeedForward(std::size_t dim, std::size_t hidden, Rng& rng, real dropout = 0, Activation activation = Activation::relu);
    Tensor forward(const Tensor& x, Rng& rng) const;

    Linear first, second;
    Dropout drop;  // on the hidden activation, as the reference implementation
    Activation activation;

protected:
    void list(Lister& out) override;
};

/// Glorot/Xavier uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)) for a (fan_in, fan_out) weight.
Tensor xavier_uniform(std::size_t fan_in, std::size_t fan_out, Rng& rng);

}  // namespace attn
