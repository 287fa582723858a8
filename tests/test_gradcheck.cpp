// The gradient checker itself: it must catch a wrong backward, not just bless right ones.
#include "attn/record.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::param;
using attn::test::param_of;

namespace {

/// y = x^2 with a deliberately wrong backward (dy/dx = x instead of 2x).
Tensor wrong_square(const Tensor& x) {
    Array y = value(x) * value(x);
    return record("wrong_square", std::move(y), {x}, [](const Backward& g) -> Grads {
        return {g.dout * g.in(0)};
    });
}

}  // namespace

TEST_CASE("check_gradients catches a wrong backward and locates it") {
    const Tensor x = param({2, 3}, 61, 0.5, 1.5);
    const GradCheckReport report = check_gradients([&] { return wrong_square(x); }, {x});
    INFO(report.to_string());
    CHECK(report.checked == 6);
    CHECK(report.max_error == doctest::Approx(0.5).epsilon(1e-6));  // |x - 2x| / |2x|
    CHECK(report.numeric == doctest::Approx(2 * report.analytic).epsilon(1e-6));
    CHECK(report.worst_index.size() == 2);
    CHECK(std::string(report.precision) == "float64");
}

TEST_CASE("check_gradients passes a right backward, restores gradients, and reports in full") {
    Tensor x = param_of({3}, {0.5, -1.0, 2.0});
    Tensor unused = param({2}, 62);
    {  // give x an existing gradient that must survive the check
        Tape tape;
        Recording on(tape);
        tape.backward(sum(x * 10.0));
    }
    const GradCheckReport report = check_gradients([&] { return x * x * x; }, {x, unused});
    CHECK(report.max_error < 1e-8);
    CHECK(report.checked == 5);
    CHECK(x.grad().values() == std::vector<real>{10, 10, 10});
    CHECK_FALSE(unused.has_grad());
    const std::string text = report.to_string();
    CHECK(text.find("max error") == 0);
    CHECK(text.find("(5 elements, float64)") != std::string::npos);
}

TEST_CASE("check_gradients refuses inputs that do not require a gradient") {
    const Tensor x = Tensor::zeros({2});
    CHECK_THROWS_WITH_AS(check_gradients([&] { return x * 2.0; }, {x}),
                         "check_gradients: input 0 does not require a gradient; call set_requires_grad() on it",
                         std::invalid_argument);
}
