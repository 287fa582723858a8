// Optimisers, clipping and schedules against values computed by hand for a few steps.
#include <cmath>

#include "attn/train/optim.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_values;
using attn::test::param_of;

namespace {

/// A one-parameter "module" so optimisers can be built from named parameters.
struct One : Module {
    Tensor w;
    explicit One(const std::vector<real>& values) : w(param_of({values.size()}, values)) {}
    void list(Lister& out) override { out.parameter("w", w); }
};

/// Sets w's gradient to g by running backward on sum(w * g).
void set_grad(One& m, std::vector<real> g) {
    m.zero_grad();
    Tape tape;
    Recording on(tape);
    tape.backward(sum(m.w * Tensor::from({g.size()}, g)));
}

}  // namespace

TEST_CASE("SGD, plain and with momentum (torch: v = g on the first step)") {
    One m({1.0, -2.0});
    Sgd plain(m.parameters(), 0.1);
    set_grad(m, {0.5, 1.0});
    plain.step();
    check_values(m.w, {0.95, -2.1}, 1e-15);

    One n({1.0});
    Sgd momentum(n.parameters(), 0.1, 0.9);
    set_grad(n, {1.0});
    momentum.step();  // v = 1, w = 0.9
    set_grad(n, {1.0});
    momentum.step();  // v = 0.9 + 1 = 1.9, w = 0.9 - 0.19 = 0.71
    set_grad(n, {-2.0});
    momentum.step();  // v = 1.71 - 2 = -0.29, w = 0.71 + 0.029 = 0.739
    check_values(n.w, {0.739}, 1e-14);
}

TEST_CASE("Adam: the first steps by hand") {
    One m({1.0});
    Adam adam(m.parameters(), 0.1);
    double w = 1, mom = 0, vel = 0;
    const double grads[] = {0.5, -1.0, 2.0};
    for (int t = 1; t <= 3; ++t) {
        set_grad(m, {real(grads[t - 1])});
        adam.step();
        mom = 0.9 * mom + 0.1 * grads[t - 1];
        vel = 0.999 * vel + 0.001 * grads[t - 1] * grads[t - 1];
        w -= 0.1 * (mom / (1 - std::pow(0.9, t))) / (std::sqrt(vel / (1 - std::pow(0.999, t))) + 1e-8);
        CHECK(m.w.item() == doctest::Approx(w).epsilon(1e-13));
    }
}

TEST_CASE("AdamW: decoupled weight decay then Adam") {
    One m({2.0});
    AdamW adamw(m.parameters(), 0.1, 0.9, 0.999, 1e-8, 0.01);
    set_grad(m, {1.0});
    adamw.step();
    const double decayed = 2.0 * (1 - 0.1 * 0.01);
    CHECK(m.w.item() == doctest::Approx(decayed - 0.1 * 1.0 / (1.0 + 1e-8)).epsilon(1e-13));
    // Adam with weight decay instead adds wd * w to the gradient
    One n({2.0});
    Adam adam_l2(n.parameters(), 0.1, 0.9, 0.999, 1e-8, 0.5);
    set_grad(n, {1.0});
    adam_l2.step();
    CHECK(n.w.item() == doctest::Approx(2.0 - 0.1).epsilon(1e-7));  // (g + wd w) normalised: still ~lr
}

TEST_CASE("optimisers skip parameters without a gradient") {
    One m({1.0});
    Adam adam(m.parameters(), 0.1);
    m.zero_grad();
    adam.step();
    CHECK(m.w.item() == 1.0);
}

TEST_CASE("clip_grad_norm scales all gradients by max_norm / (norm + 1e-6)") {
    One a({0, 0}), b({0});
    set_grad(a, {3, 0});
    set_grad(b, {4});
    std::vector<NamedParameter> both = a.parameters();
    both.push_back(b.parameters()[0]);
    CHECK(clip_grad_norm(both, 10) == doctest::Approx(5.0));  // under the limit: unchanged
    check_values(a.w.grad(), {3, 0});
    CHECK(clip_grad_norm(both, 1) == doctest::Approx(5.0));
    const double factor = 1 / (5 + 1e-6);
    check_values(a.w.grad(), {3 * factor, 0}, 1e-15);
    check_values(b.w.grad(), {4 * factor}, 1e-15);
}

TEST_CASE("schedules: BERT's warm-up then linear decay") {
    const WarmupLinearDecay bert(real(1e-3), 10, 110);
    CHECK(bert.rate(1) == doctest::Approx(1e-4));   // 1/10 of the peak after one step
    CHECK(bert.rate(10) == doctest::Approx(1e-3));  // the peak at the end of warm-up
    CHECK(bert.rate(60) == doctest::Approx(5e-4));  // halfway down
    CHECK(bert.rate(110) == 0);
    CHECK(bert.rate(500) == 0);                     // never negative
    CHECK(WarmupLinearDecay(real(1), 0, 4).rate(2) == doctest::Approx(0.5));
    CHECK_THROWS_AS(WarmupLinearDecay(real(1), 10, 10), std::invalid_argument);
}

TEST_CASE("schedules: constant, step decay, Noam") {
    CHECK(ConstantSchedule(0.3).rate(1000) == doctest::Approx(0.3));
    const StepDecay decay(1.0, 10, 0.5);
    CHECK(decay.rate(1) == 1.0);
    CHECK(decay.rate(10) == 1.0);
    CHECK(decay.rate(11) == 0.5);
    CHECK(decay.rate(25) == 0.25);
    const NoamSchedule noam(512, 4000);
    CHECK(noam.rate(1) == doctest::Approx(std::pow(512, -0.5) * std::pow(4000, -1.5)).epsilon(1e-12));
    CHECK(noam.rate(4000) == doctest::Approx(std::pow(512, -0.5) * std::pow(4000, -0.5)).epsilon(1e-12));  // the peak
    CHECK(noam.rate(16000) == doctest::Approx(std::pow(512, -0.5) / std::sqrt(16000.0)).epsilon(1e-12));
    CHECK(noam.rate(2000) < noam.rate(4000));
    CHECK(noam.rate(8000) < noam.rate(4000));
    CHECK_THROWS_AS(NoamSchedule(512, 0), std::invalid_argument);
}

TEST_CASE("optimizer state round-trips: a restored optimiser continues identically") {
    One a({1.0, 2.0}), b({1.0, 2.0});
    Adam first(a.parameters(), 0.05), second(b.parameters(), 0.05);
    for (int t = 0; t < 3; ++t) {
        set_grad(a, {real(0.3 * t), real(-1.0)});
        first.step();
    }
    b.w.data()[0] = a.w.data()[0];
    b.w.data()[1] = a.w.data()[1];
    second.load_state(first.state());
    second.steps_taken = first.steps_taken;  // an integer, stored apart by checkpoints (test_checkpoint)
    set_grad(a, {0.7, 0.1});
    set_grad(b, {0.7, 0.1});
    first.step();
    second.step();
    CHECK(a.w.values() == b.w.values());
    CHECK_THROWS_WITH_AS(second.load_state({{"m.nothing", Tensor::zeros({2})}}),
                         "optimizer state: entry 'm.nothing' matches no parameter", std::runtime_error);
    CHECK_THROWS_WITH_AS(second.load_state({{"m.w", Tensor::zeros({3})}}),
                         "optimizer state: 'm.w' has shape (3), the parameter has (2)", std::runtime_error);
}
