// layer_norm: fused, because composed from mean, sub, mul, sqrt and div it made five passes and
// five temporaries over the activations, forward and backward — a fifth of a Transformer step at
// chapter 5's sizes (bench/: 6.0 ms -> 0.69 ms forward + backward on (64, 32, 128), 1 thread).
// tests/test_nn_layers.cpp checks it against the composed version and by finite differences.
#include <cmath>

#include "attn/ops.hpp"
#include "attn/record.hpp"

namespace attn {

// For each row x (D values):  mu = mean(x),  var = mean((x - mu)^2),  r = 1 / sqrt(var + eps),
//   xhat = (x - mu) r,   y = xhat * gamma + beta.
// Backward, with g = dy * gamma:
//   dx = r (g - mean(g) - xhat mean(g xhat)),   dgamma = sum over rows of dy xhat,   dbeta = sum of dy.
// x (..., D), gamma (D), beta (D) -> y (..., D)
Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, real eps) {
    const Shape shape = x.shape();
    const std::size_t D = shape.empty() ? 0 : shape.back();
    if (D == 0 || gamma.shape() != Shape{D} || beta.shape() != Shape{D}) {
        fail("layer_norm", "needs x (..., D) with gamma and beta (D), got " + to_string(shape) + ", " +
                               to_string(gamma.shape()) + " and " + to_string(beta.shape()));
    }
    const std::size_t rows = x.size() / D;
    const real* in = value(x).data();
    const real* g = value(gamma).data();
    const real* b = value(beta).data();
    Array y = xt::empty<real>(shape);
    auto xhat = std::make_shared<std::vector<real>>(x.size());  // kept for backward
    auto rstd = std::make_shared<std::vector<real>>(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        const real* row = in + r * D;
        real mu = 0, var = 0;
        for (std::size_t k = 0; k < D; ++k) mu += row[k];
        mu /= real(D);
        for (std::size_t k = 0; k < D; ++k) var += (row[k] - mu) * (row[k] - mu);
        const real inv = real(1) / std::sqrt(var / real(D) + eps);
        (*rstd)[r] = inv;
        for (std::size_t k = 0; k < D; ++k) {
            const real h = (row[k] - mu) * inv;
            (*xhat)[r * D + k] = h;
            y.data()[r * D + k] = h * g[k] + b[k];
        }
    }
    return record("layer_norm", std::move(y), {x, gamma, beta}, [xhat, rstd, rows, D](const Backward& bw) -> Grads {
        const real* dy = bw.dout.data();
        const real* gam = bw.in(1).data();
        Grads d(3);
        if (bw.needs(0)) {
            Array dx = xt::empty<real>(bw.in(0).shape());
            for (std::size_t r = 0; r < rows; ++r) {
                real mean_g = 0, mean_gh = 0;
                for (std::size_t k = 0; k < D; ++k) {
                    const real gk = dy[r * D + k] * gam[k];
                    mean_g += gk;
                    mean_gh += gk * (*xhat)[r * D + k];
                }
                mean_g /= real(D);
                mean_gh /= real(D);
                for (std::size_t k = 0; k < D; ++k) {
                    const real gk = dy[r * D + k] * gam[k];
                    dx.data()[r * D + k] = (*rstd)[r] * (gk - mean_g - (*xhat)[r * D + k] * mean_gh);
                }
            }
            d[0] = std::move(dx);
        }
        if (bw.needs(1) || bw.needs(2)) {
            Array dgamma = xt::zeros<real>({D}), dbeta = xt::zeros<real>({D});
            for (std::size_t r = 0; r < rows; ++r) {
                for (std::size_t k = 0; k < D; ++k) {
                    dgamma.data()[k] += dy[r * D + k] * (*xhat)[r * D + k];
                    dbeta.data()[k] += dy[r * D + k];
                }
            }
            if (bw.needs(1)) d[1] = std::move(dgamma);
            if (bw.needs(2)) d[2] = std::move(dbeta);
        }
        return d;
    });
}

}  // namespace attn
