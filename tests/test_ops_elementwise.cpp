// Elementwise ops: closed-form values, float64 gradient checks (broadcasting, size-1 axes),
// and the shape-error messages.
#include <cmath>
#include <limits>

#include "attn/record.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::check_values;
using attn::test::param;
using attn::test::param_of;

TEST_CASE("add, sub, mul, div: closed form with broadcasting") {
    const Tensor a = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
    const Tensor b = Tensor::from({3}, {10, 20, 40});
    check_values(add(a, b), {11, 22, 43, 14, 25, 46});
    check_values(sub(a, b), {-9, -18, -37, -6, -15, -34});
    check_values(mul(a, b), {10, 40, 120, 40, 100, 240});
    check_values(div(b, a), {10, 10, 40.0 / 3, 2.5, 4, 40.0 / 6});
    check_values(a + 1.0, {2, 3, 4, 5, 6, 7});
    check_values(2.0 - a, {1, 0, -1, -2, -3, -4});
    check_values(a * 0.5, {0.5, 1, 1.5, 2, 2.5, 3});
    check_values(6.0 / a, {6, 3, 2, 1.5, 1.2, 1});
    check_values(-a, {-1, -2, -3, -4, -5, -6});
    CHECK(add(Tensor::from({2, 1}, {1, 2}), Tensor::from({1, 3}, {10, 20, 30})).shape() == Shape{2, 3});
}

TEST_CASE("add, sub, mul, div: gradients, same shapes and broadcasting") {
    const Tensor a = param({3, 4}, 1);
    const Tensor b = param({3, 4}, 2, 0.5, 2.0);  // divisor kept away from 0
    const Tensor row = param({4}, 3, 0.5, 2.0);
    const Tensor column = param({3, 1}, 4, 0.5, 2.0);
    const Tensor lone = param({1, 4}, 5, 0.5, 2.0);
    const Tensor scalar = param_of({}, {1.7});
    const Tensor batched = param({2, 3, 4}, 6);

    check_grads([&] { return add(a, b); }, {a, b});
    check_grads([&] { return sub(a, b); }, {a, b});
    check_grads([&] { return mul(a, b); }, {a, b});
    check_grads([&] { return div(a, b); }, {a, b});
    for (const Tensor& other : {row, column, lone, scalar}) {
        check_grads([&] { return add(a, other); }, {a, other});
        check_grads([&] { return sub(other, a); }, {a, other});
        check_grads([&] { return mul(a, other); }, {a, other});
        check_grads([&] { return div(a, other); }, {a, other});
    }
    check_grads([&] { return mul(column, lone); }, {column, lone});   // (3,1) x (1,4) -> (3,4)
    check_grads([&] { return div(batched, column); }, {batched, column});  // rank 3 against rank 2
    check_grads([&] { return a + a * a; }, {a});                      // one input used twice
}

TEST_CASE("add, sub, mul, div: the flat loop for a repeated operand equals xtensor's broadcasting") {
    // Each pair in both orders: scalars, a bias, a table, leading 1s, and shapes the loop leaves to
    // xtensor (a column, two stretched axes, a longer small operand); every element bit for bit.
    const std::vector<std::pair<Shape, Shape>> pairs = {
        {{2, 3, 4}, {}},     {{2, 3, 4}, {1}},    {{2, 3, 4}, {4}},       {{2, 3, 4}, {3, 4}},
        {{2, 3, 4}, {1, 4}}, {{2, 3, 4}, {1, 1, 4}}, {{2, 3, 4}, {2, 3, 4}}, {{2, 3, 4}, {3, 1}},
        {{3, 1}, {1, 4}},    {{3, 4}, {1, 1, 4}}, {{0, 4}, {4}},          {{2, 3, 4}, {1, 3, 1}}};
    int seed = 60;
    for (const auto& [big, small] : pairs) {
        for (bool swap : {false, true}) {
            const Tensor x = param(swap ? small : big, std::uint64_t(++seed), 0.5, 2);
            const Tensor z = param(swap ? big : small, std::uint64_t(++seed), 0.5, 2);
            const std::string shapes = to_string(x.shape()) + " and " + to_string(z.shape());
            CAPTURE(shapes);
            CHECK(add(x, z).values() == make_tensor(Array(value(x) + value(z))).values());
            CHECK(sub(x, z).values() == make_tensor(Array(value(x) - value(z))).values());
            CHECK(mul(x, z).values() == make_tensor(Array(value(x) * value(z))).values());
            CHECK(div(x, z).values() == make_tensor(Array(value(x) / value(z))).values());
            CHECK(add(x, z).shape() == broadcast_shapes("test", x.shape(), z.shape()));
        }
    }
}

TEST_CASE("broadcasting ops name both shapes when they do not broadcast") {
    const Tensor a = Tensor::zeros({2, 3});
    const Tensor b = Tensor::zeros({4});
    CHECK_THROWS_WITH_AS(add(a, b), "add: shapes do not broadcast: a is (2, 3), b is (4)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(sub(a, b), "sub: shapes do not broadcast: a is (2, 3), b is (4)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(mul(a, b), "mul: shapes do not broadcast: a is (2, 3), b is (4)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(div(a, b), "div: shapes do not broadcast: a is (2, 3), b is (4)", std::invalid_argument);
}

TEST_CASE("unary functions: closed form") {
    const Tensor x = Tensor::from({4}, {0.5, 1, 2, 4});
    check_values(neg(x), {-0.5, -1, -2, -4});
    check_values(exp(x), {std::exp(0.5), std::exp(1.0), std::exp(2.0), std::exp(4.0)});
    check_values(log(x), {std::log(0.5), 0, std::log(2.0), std::log(4.0)});
    check_values(sqrt(x), {std::sqrt(0.5), 1, std::sqrt(2.0), 2});
    check_values(pow(x, 3), {0.125, 1, 8, 64});
    check_values(pow(x, -0.5), {std::sqrt(2.0), 1, 1 / std::sqrt(2.0), 0.5});
    check_values(tanh(x), {std::tanh(0.5), std::tanh(1.0), std::tanh(2.0), std::tanh(4.0)});
    check_values(sigmoid(Tensor::from({3}, {0, 2, -2})), {0.5, 1 / (1 + std::exp(-2.0)), 1 / (1 + std::exp(2.0))});
    check_values(relu(Tensor::from({4}, {-2, -0.5, 0.5, 3})), {0, 0, 0.5, 3});
    // x Phi(x), with Phi from the complementary error function (torch.nn.GELU()(1.) = 0.8413)
    auto phi = [](double v) { return 0.5 * std::erfc(-v / std::sqrt(2.0)); };
    check_values(gelu(Tensor::from({5}, {-3, -1, 0, 1, 2.5})), {-3 * phi(-3), -phi(-1), 0, phi(1), 2.5 * phi(2.5)});
    CHECK(gelu(Tensor::from({1}, {1})).item() == doctest::Approx(0.8413447460685429).epsilon(1e-6));
}

TEST_CASE("unary functions: gradients") {
    const Tensor x = param({3, 4}, 11, -2, 2);
    const Tensor positive = param({3, 4}, 12, 0.2, 3);  // domain of log, sqrt, fractional pow
    check_grads([&] { return neg(x); }, {x});
    check_grads([&] { return exp(x); }, {x});
    check_grads([&] { return log(positive); }, {positive});
    check_grads([&] { return sqrt(positive); }, {positive});
    check_grads([&] { return pow(positive, 2.5); }, {positive});
    check_grads([&] { return pow(x, 3); }, {x});  // integer power of negative values
    check_grads([&] { return tanh(x); }, {x});
    check_grads([&] { return sigmoid(x); }, {x});
    check_grads([&] { return gelu(x); }, {x});
    // relu: inputs kept at least 0.1 from the kink at 0, where the finite difference straddles it
    const Tensor off_kink = param_of({6}, {-1.5, -0.3, -0.1, 0.1, 0.7, 2.0});
    check_grads([&] { return relu(off_kink); }, {off_kink});
}

TEST_CASE("sigmoid and relu at the extremes and the kink") {
    const Tensor big = Tensor::from({4}, {-800, -100, 100, 800});
    const std::vector<real> s = sigmoid(big).values();
    CHECK(s[0] == 0.0);
    CHECK(std::abs(s[1] - std::exp(-100.0)) <= 1e-12 * std::exp(-100.0));  // relative, not absolute
    CHECK(s[2] == 1.0);
    CHECK(s[3] == 1.0);

    // relu'(0) = 0, as PyTorch.
    Tensor zero = Tensor::from({1}, {0});
    zero.set_requires_grad();
    Tape tape;
    {
        Recording on(tape);
        tape.backward(sum(relu(zero)));
    }
    CHECK(zero.grad().item() == 0.0);
}
