// Chapter 0 smoke tests: the model's size, its gradients, and that training makes progress.
#include "../chapters/00_autograd/model.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_grads;

TEST_CASE("chapter 0: parameter count, every parameter gets a gradient, whole-model gradient check") {
    Rng rng(3);
    const ch00::Dataset data = ch00::two_spirals(10, 0.05, rng);
    ch00::Mlp model(8, rng);
    std::size_t count = 0;
    for (const Tensor& p : model.parameters()) count += p.size();
    CHECK(count == 2 * 8 + 8 + 8 * 2 + 2);  // W1, b1, W2, b2

    Tape tape;
    {
        Recording on(tape);
        tape.backward(model.loss(data));
    }
    for (const Tensor& p : model.parameters()) {
        INFO(p.name());
        double norm = 0;
        for (real g : p.grad().values()) norm += g * g;
        CHECK(norm > 0);
    }
    for (Tensor p : model.parameters()) p.zero_grad();
    check_grads([&] { return model.loss(data); }, model.parameters());
}

TEST_CASE("chapter 0: the loss falls on a fixed batch, and the same seed gives the same run") {
    auto run = [](std::uint64_t seed) {
        Rng rng(seed);
        const ch00::Dataset data = ch00::two_spirals(4, 0.05, rng);  // 8 points: memorised within 1000 steps
        ch00::Mlp model(16, rng);
        ch00::Momentum optimizer{0.1, 0.9, {}};
        std::vector<double> losses;
        for (int step = 0; step < 1000; ++step) losses.push_back(ch00::train_step(model, data, optimizer));
        return losses;
    };
    const std::vector<double> losses = run(4);
    CHECK(losses.back() < 0.5 * losses.front());
    CHECK(run(4) == losses);
    CHECK(run(5) != losses);
}
