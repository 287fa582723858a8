// attn/train/optim.hpp — optimisers, gradient clipping and learning-rate schedules.
//
// Updates are plain array arithmetic on parameter values, never recorded. Each optimiser holds the
// parameters by handle (sharing their storage) with their names, skips a parameter that received
// no gradient this step (as PyTorch does), and exposes its state by name for checkpoints.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "attn/nn/module.hpp"
#include "attn/tensor.hpp"

namespace attn {

struct NamedTensor {
    std::string name;
    Tensor tensor;
};

class Optimizer {
public:
    explicit Optimizer(const std::vector<NamedParameter>& parameters, real learning_rate);
    virtual ~Optimizer() = default;

    /// One update from the current gradients.
    void step();
    /// Forgets every parameter's gradient.
    void zero_grad();

    real learning_rate;
    long steps_taken = 0;

    /// The per-parameter buffers a resumed run needs to continue exactly ("m.decoder.W", ...); with
    /// steps_taken (an integer, stored apart by checkpoints) that is the whole state.
    virtual std::vector<NamedTensor> state() const;
    /// Restores what state() returned; throws naming any unknown or mis-shaped entry.
    virtual void load_state(const std::vector<NamedTensor>& state);

protected:
    /// Updates parameter k (value p, gradient g, n elements) after steps_taken was incremented.
    virtual void update(std::size_t k, real* p, const real* g, std::size_t n) = 0;
    /// Per-parameter buffers (momentum, moments) by prefix; allocated lazily.
    std::vector<real>& buffer(const std::string& prefix, std::size_t k);
    bool has_buffer(const std::string& prefix, std::size_t k) const;

    std::vector<NamedTensor> parameters_;

private:
    std::vector<std::pair<std::string, std::vector<std::vector<real>>>> buffers_;
};

/// SGD with optional momentum and L2 weight decay, as torch.optim.SGD:
///   g <- g + wd p;   v <- mu v + g (v = g on the first step);   p <- p - lr v
class Sgd : public Optimizer {
public:
    Sgd(const std::vector<NamedParameter>& parameters, real learning_rate, real momentum = 0, real weight_decay = 0);
    real momentum, weight_decay;

protected:
    void update(std::size_t k, real* p, const real* g, std::size_t n) override;
};

/// Adam (Kingma & Ba 2015), as torch.optim.Adam (weight decay, if any, is L2 added to g):
///   m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  p <- p - lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
class Adam : public Optimizer {
public:
    Adam(const std::vector<NamedParameter>& parameters, real learning_rate, real beta1 = real(0.9),
         real beta2 = real(0.999), real eps = real(1e-8), real weight_decay = 0);
    real beta1, beta2, eps, weight_decay;

protected:
    void update(std::size_t k, real* p, const real* g, std::size_t n) override;
    /// The Adam step itself, shared with AdamW.
    void adam_step(std::size_t k, real* __restrict p, const real* __restrict g, std::size_t n, real l2);
};

/// AdamW (Loshchilov & Hutter 2019), as torch.optim.AdamW: decoupled decay p <- p - lr wd p, then Adam.
class AdamW : public Adam {
public:
    AdamW(const std::vector<NamedParameter>& parameters, real learning_rate, real beta1 = real(0.9),
          real beta2 = real(0.999), real eps = real(1e-8), real weight_decay = real(0.01));

protected:
    void update(std::size_t k, real* p, const real* g, std::size_t n) override;
};

/// Scales all gradients together so that their global L2 norm is at most max_norm (as
/// torch.nn.utils.clip_grad_norm_: factor max_norm / (norm + 1e-6) when norm > max_norm).
/// Returns the norm before clipping. Parameters without a gradient are skipped.
double clip_grad_norm(const std::vector<NamedParameter>& parameters, double max_norm);

// ---- learning-rate schedules: rate(step) for step = 1, 2, ... ------------------------------------

class Schedule {
public:
    virtual ~Schedule() = default;
    virtual real rate(long step) const = 0;
};

class ConstantSchedule : public Schedule {
public:
    explicit ConstantSchedule(real rate) : rate_(rate) {}
    real rate(long) const override { return rate_; }

private:
    real rate_;
};

/// rate = base * gamma^floor((step - 1) / every)   (torch StepLR, counting steps from 1)
class StepDecay : public Schedule {
public:
    StepDecay(real base, long every, real gamma);
    real rate(long step) const override;

private:
    real base_;
    long every_;
    real gamma_;
};

/// Vaswani et al. 2017, eq. 3:  rate = factor * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)
/// Rises linearly for `warmup` steps, then decays as 1/sqrt(step).
class NoamSchedule : public Schedule {
public:
    NoamSchedule(std::size_t d_model, long warmup, real factor = 1);
    real rate(long step) const override;

private:
    double scale_;
    long warmup_;
};

/// BERT's schedule (Devlin et al. 2019, A.2): rises linearly to `peak` over `warmup` steps, then
/// falls linearly to 0 at step `total`:  rate = peak * min(step / warmup, (total - step) / (total - warmup)),
/// never below 0 (steps past `total` get 0).
class WarmupLinearDecay : public Schedule {
public:
    WarmupLinearDecay(real peak, long warmup, long total);
    real rate(long step) const override;

private:
    double peak_;
    long warmup_, total_;
};

}  // namespace attn
