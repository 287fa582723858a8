// attn/nn/normalization.hpp — the normalisations chapter 5 compares with LayerNorm (attn/nn/layers.hpp).
//
// Each one normalises a (..., D) activation over different axes:
//   LayerNorm  (Ba et al. 2016)         over D, per position: mean and variance of one token's features
//   RMSNorm    (Zhang & Sennrich 2019)  over D, per position: only the root mean square, no centring
//   BatchNorm  (Ioffe & Szegedy 2015)   over every position of the batch, per feature: mean and
//                                       variance of feature d across all (non-padding) tokens; at
//                                       evaluation, running averages collected while training
// (InstanceNorm and GroupNorm, for images, normalise over space per channel / per group of
// channels; a sequence model has no such axes to offer.)
#pragma once

#include "attn/nn/module.hpp"

namespace attn {

/// y = x / sqrt(mean_d x_d^2 + eps) * g        x (..., D) -> (..., D), g (D) starts at 1.
/// Composed from engine ops, so its gradient is the engine's.
class RMSNorm : public Module {
public:
    explicit RMSNorm(std::size_t dim, real eps = real(1e-5));
    Tensor forward(const Tensor& x) const;

    Tensor gain;  // g (D)
    real eps;

protected:
    void list(Lister& out) override;
};

/// Batch normalisation of a padded batch of sequences, per feature:
///   training:   mu_d = mean of x[n, d] over the kept positions n, var_d the same for (x - mu)^2
///               (biased), y = (x - mu) / sqrt(var + eps) * gamma + beta; and the running averages
///               move towards them: r <- (1 - momentum) r + momentum * batch value (the running
///               variance takes the unbiased batch variance, as torch.nn.BatchNorm1d).
///   evaluation: the same with the running mean and variance, so an output never depends on
///               the other sentences in the batch (or on their number: one sentence decodes alone).
/// x (..., D); padding (...) with 1 at positions left out of the statistics (their outputs are
/// computed all the same), or Tensor() for none. -> (..., D)
class BatchNorm : public Module {
public:
    explicit BatchNorm(std::size_t dim, real eps = real(1e-5), real momentum = real(0.1));
    Tensor forward(const Tensor& x, const Tensor& padding = Tensor()) const;

    Tensor gamma, beta;  // (D)
    // Buffers: saved in checkpoints, not trained. Updated by every training-mode forward, which
    // is why they can change under a const forward, as in torch.
    mutable Tensor running_mean, running_var;  // (D)
    real eps, momentum;
    /// Normalise with the batch's own statistics in evaluation too (leaving the running averages
    /// alone), like torch's track_running_stats=False: to measure what the running averages cost.
    bool batch_statistics_in_evaluation = false;

protected:
    void list(Lister& out) override;
};

}  // namespace attn
