// RMSNorm and BatchNorm (see attn/nn/normalization.hpp), composed from engine ops.
#include "attn/nn/normalization.hpp"

#include <cmath>

#include "attn/ops.hpp"

namespace attn {

namespace {
void check_last_axis(const char* layer, const Tensor& x, std::size_t dim) {
    if (x.shape().empty() || x.shape().back() != dim) {
        fail(layer, "input's last axis must be " + std::to_string(dim) + ", got shape " + to_string(x.shape()));
    }
}
}  // namespace

// ---- RMSNorm ---------------------------------------------------------------------------------------

RMSNorm::RMSNorm(std::size_t dim, real eps_) : gain(Tensor::full({dim}, 1).set_requires_grad()), eps(eps_) {}

Tensor RMSNorm::forward(const Tensor& x) const {
    check_last_axis("RMSNorm", x, gain.size());
    const Tensor mean_square = mean(x * x, -1, true);  // (..., 1)
    return x / sqrt(mean_square + eps) * gain;          // (..., D)
}

void RMSNorm::list(Lister& out) { out.parameter("gain", gain); }

// ---- BatchNorm -------------------------------------------------------------------------------------

BatchNorm::BatchNorm(std::size_t dim, real eps_, real momentum_)
    : gamma(Tensor::full({dim}, 1).set_requires_grad()), beta(Tensor::zeros({dim}).set_requires_grad()),
      running_mean(Tensor::zeros({dim})), running_var(Tensor::full({dim}, 1)), eps(eps_), momentum(momentum_) {}

Tensor BatchNorm::forward(const Tensor& x, const Tensor& padding) const {
    const std::size_t D = gamma.size();
    check_last_axis("BatchNorm", x, D);
    const std::size_t N = x.size() / D;
    const Tensor rows = reshape(x, {N, D});  // every position, one row each
    const bool batch_statistics = training() || batch_statistics_in_evaluation;
    if (!batch_statistics) return reshape((rows - running_mean) / sqrt(running_var + eps) * gamma + beta, x.shape());

    std::vector<real> keep(N, 1);  // 1 at the positions that count
    if (padding.defined()) {
        if (padding.size() != N) {
            fail("BatchNorm", "padding must have one entry per position (" + std::to_string(N) + "), got shape " + to_string(padding.shape()));
        }
        for (std::size_t n = 0; n < N; ++n) keep[n] = padding.data()[n] != 0 ? 0 : 1;
    }
    double kept = 0;
    for (const real k : keep) kept += k;
    if (kept == 0) fail("BatchNorm", "every position of the batch is padding: no statistics to normalise with");
    const Tensor mask = Tensor::from({N, 1}, keep);
    const Tensor mu = sum(rows * mask, 0, true) / real(kept);                   // (1, D)
    const Tensor centred = rows - mu;                                           // (N, D)
    const Tensor variance = sum(centred * centred * mask, 0, true) / real(kept);  // (1, D), biased
    const Tensor y = centred / sqrt(variance + eps) * gamma + beta;             // (N, D)

    if (!training()) return reshape(y, x.shape());
    const double unbiased = kept > 1 ? kept / (kept - 1) : 1;
    for (std::size_t d = 0; d < D; ++d) {
        real& m = running_mean.data()[d];
        real& v = running_var.data()[d];
        m = (1 - momentum) * m + momentum * mu.data()[d];
        v = (1 - momentum) * v + momentum * real(variance.data()[d] * unbiased);
    }
    return reshape(y, x.shape());
}

void BatchNorm::list(Lister& out) {
    out.parameter("gamma", gamma);
    out.parameter("beta", beta);
    out.buffer("running_mean", running_mean);
    out.buffer("running_var", running_var);
}

}  // namespace attn
