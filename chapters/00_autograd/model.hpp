// chapters/00_autograd/model.hpp — the data and the model of chapter 0, read top to bottom.
//
// Two interleaved spirals in the plane, one per class, and a two-layer perceptron that learns to
// tell them apart. Everything is written with engine ops only (matmul, add, tanh, cross_entropy),
// so the gradient of every line comes from the tape. Deliberately left out: modules, optimisers
// and data loaders — the library provides those from chapter 1 on; here every step is in view.
#pragma once

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "attn/attn.hpp"

namespace ch00 {

using namespace attn;

// ---- The data: two spirals ------------------------------------------------------------------

struct Dataset {
    Tensor x;    // (N, 2) points
    Ids labels;  // (N) class 0 or 1
};

/// n points per class on two spiral arms, rotated by pi from each other, with Gaussian noise.
inline Dataset two_spirals(std::size_t n, double noise, Rng& rng) {
    std::vector<real> points;
    std::vector<int> labels;
    for (std::size_t i = 0; i < n; ++i) {
        for (int c = 0; c < 2; ++c) {
            const double r = 0.15 + 0.85 * double(i) / double(n);  // radius grows along the arm
            const double angle = 3.0 * M_PI * double(i) / double(n) + c * M_PI;
            points.push_back(real(r * std::cos(angle) + noise * rng.normal()));
            points.push_back(real(r * std::sin(angle) + noise * rng.normal()));
            labels.push_back(c);
        }
    }
    return {Tensor::from({2 * n, 2}, std::move(points)).named("x"), Ids(std::move(labels))};
}

// ---- The model: a two-layer perceptron --------------------------------------------------------
//
//     h = tanh(x W1 + b1)        x (N, 2), W1 (2, H), b1 (H)  ->  h (N, H)
//     z = h W2 + b2              W2 (H, 2), b2 (2)            ->  z (N, 2) class scores (logits)
//     L = cross_entropy(z, y)    mean over the N points of -log softmax(z_n)[y_n]

struct Mlp {
    Tensor W1, b1, W2, b2;

    /// PyTorch's nn.Linear initialisation: every weight and bias uniform in +-1/sqrt(fan_in).
    Mlp(std::size_t hidden, Rng& rng) {
        const real k1 = real(1 / std::sqrt(2.0)), k2 = real(1 / std::sqrt(double(hidden)));
        W1 = uniform({2, hidden}, -k1, k1, rng).set_requires_grad().named("W1");
        b1 = uniform({hidden}, -k1, k1, rng).set_requires_grad().named("b1");
        W2 = uniform({hidden, 2}, -k2, k2, rng).set_requires_grad().named("W2");
        b2 = uniform({2}, -k2, k2, rng).set_requires_grad().named("b2");
    }

    Tensor logits(const Tensor& x) const {
        const Tensor h = tanh(matmul(x, W1) + b1);  // (N, H); b1 broadcasts over the rows
        return matmul(h, W2) + b2;                  // (N, 2)
    }

    Tensor loss(const Dataset& data) const { return cross_entropy(logits(data.x), data.labels); }  // ()

    std::vector<Tensor> parameters() const { return {W1, b1, W2, b2}; }
};

/// Share of points whose larger logit is their label.
inline double accuracy(const Mlp& model, const Dataset& data) {
    NoRecording off;
    const Tensor z = model.logits(data.x);  // (N, 2)
    std::size_t right = 0;
    for (std::size_t n = 0; n < data.labels.values.size(); ++n) {
        const int predicted = z.at({n, 1}) > z.at({n, 0}) ? 1 : 0;
        right += predicted == data.labels.values[n];
    }
    return double(right) / double(data.labels.values.size());
}

// ---- Training: gradient descent with momentum, written out ------------------------------------
//
// One step: record the loss on a fresh tape, sweep it backwards, move every parameter against its
// gradient, forget the gradients. Momentum (Polyak's heavy ball) keeps a running velocity per
// parameter, v <- mu v - lr g; p <- p + v, which carries the descent through the long flat valleys
// of this problem. (From chapter 1 on, attn's optimisers do this part.)

struct Momentum {
    real learning_rate, mu;
    std::vector<std::vector<real>> velocity;  // one per parameter, same size

    void step(const std::vector<Tensor>& parameters) {
        velocity.resize(parameters.size());
        for (std::size_t k = 0; k < parameters.size(); ++k) {
            Tensor p = parameters[k];
            const Tensor g = p.grad();
            velocity[k].resize(p.size(), real(0));
            for (std::size_t i = 0; i < p.size(); ++i) {
                velocity[k][i] = mu * velocity[k][i] - learning_rate * g.data()[i];
                p.data()[i] += velocity[k][i];
            }
            p.zero_grad();
        }
    }
};

inline double train_step(Mlp& model, const Dataset& data, Momentum& optimizer) {
    Tape tape;
    double loss_value;
    {
        Recording on(tape);
        const Tensor loss = model.loss(data);  // ()
        tape.backward(loss);
        loss_value = loss.item();
    }
    optimizer.step(model.parameters());
    return loss_value;
}

}  // namespace ch00
