// sum / mean / max over an axis (keepdims or not) and over everything.
#include "check.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::check_values;
using attn::test::param;
using attn::test::param_of;

TEST_CASE("reductions: closed form") {
    const Tensor x = Tensor::from({2, 3}, {1, 5, 3, 4, 2, 6});
    check_values(sum(x, 0), {5, 7, 9});
    check_values(sum(x, 1), {9, 12});
    check_values(sum(x, -1, true), {9, 12});
    CHECK(sum(x, -1, true).shape() == Shape{2, 1});
    CHECK(sum(x, 0).shape() == Shape{3});
    check_values(mean(x, 0), {2.5, 3.5, 4.5});
    check_values(mean(x, 1), {3, 4});
    check_values(max(x, 0), {4, 5, 6});
    check_values(max(x, 1), {5, 6});
    CHECK(sum(x).item() == 21);
    CHECK(sum(x).shape() == Shape{});
    CHECK(mean(x).item() == 3.5);
}

TEST_CASE("reductions: gradients over every axis, with and without keepdims") {
    const Tensor x = param({2, 3, 4}, 21);
    for (int axis : {0, 1, 2, -1}) {
        for (bool keep : {false, true}) {
            CAPTURE(axis);
            CAPTURE(keep);
            check_grads([&] { return sum(x, axis, keep); }, {x});
            check_grads([&] { return mean(x, axis, keep); }, {x});
            check_grads([&] { return max(x, axis, keep); }, {x});  // random values: no ties
        }
    }
    check_grads([&] { return sum(x); }, {x});
    check_grads([&] { return mean(x); }, {x});
    const Tensor single = param({3, 1}, 22);  // reducing a size-1 axis
    check_grads([&] { return sum(single, 1); }, {single});
    check_grads([&] { return max(single, 1); }, {single});
}

TEST_CASE("max sends the gradient to the first maximum (PyTorch's convention)") {
    Tensor x = param_of({4}, {1, 3, 3, 2});
    Tape tape;
    {
        Recording on(tape);
        tape.backward(sum(max(x, 0)));
    }
    CHECK(x.grad().values() == std::vector<real>{0, 1, 0, 0});
}

TEST_CASE("reductions: axis errors") {
    const Tensor x = Tensor::zeros({2, 3});
    CHECK_THROWS_WITH_AS(sum(x, 2), "sum: axis 2 is out of range for shape (2, 3)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(mean(x, -3), "mean: axis -3 is out of range for shape (2, 3)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(max(x, 5), "max: axis 5 is out of range for shape (2, 3)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(max(Tensor::zeros({2, 0}), 1), "max: cannot take the max over an empty axis of shape (2, 0)",
                         std::invalid_argument);
}
