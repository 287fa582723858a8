// Engine semantics: accumulation, reuse, scopes, misuse errors, deep chains, anomaly mode,
// the printed tape and the DOT export.
#include <cmath>
#include <sstream>
#include <tuple>
#include <utility>

#include "attn/memory.hpp"
#include "attn/random.hpp"
#include "attn/record.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::param;
using attn::test::param_of;

namespace {

/// Runs f inside a fresh recording and backward from its (scalar) result.
template <class F>
void backward_of(F&& f) {
    Tape tape;
    Recording on(tape);
    tape.backward(f());
}

}  // namespace

TEST_CASE("reuse of a non-leaf: b = a + a; c = b + b gives dc/da = 4") {
    Tensor a = param_of({}, {3.0});
    backward_of([&] {
        const Tensor b = a + a;
        return b + b;
    });
    CHECK(a.grad().item() == 4.0);
}

TEST_CASE("a parameter used twice gets the sum: d(a*a + a)/da = 2a + 1") {
    Tensor a = param_of({2}, {3.0, -1.0});
    backward_of([&] { return sum(a * a + a); });
    CHECK(a.grad().values() == std::vector<real>{7.0, -1.0});
}

TEST_CASE("gradients accumulate across tapes until zero_grad") {
    Tensor w = param_of({}, {2.0});
    backward_of([&] { return w * 3.0; });
    backward_of([&] { return w * 5.0; });
    CHECK(w.grad().item() == 8.0);
    w.zero_grad();
    CHECK_FALSE(w.has_grad());
    CHECK_THROWS_AS(w.grad(), std::logic_error);
    backward_of([&] { return w * 7.0; });
    CHECK(w.grad().item() == 7.0);
}

TEST_CASE("nothing is recorded outside a Recording scope or inside NoRecording") {
    Tensor w = param_of({}, {2.0});
    const Tensor outside = w * 3.0;
    CHECK_FALSE(outside.requires_grad());
    Tape tape;
    Recording on(tape);
    {
        NoRecording off;
        CHECK(active_tape() == nullptr);
        CHECK_FALSE((w * 3.0).requires_grad());
    }
    CHECK(active_tape() == &tape);
    CHECK((w * 3.0).requires_grad());
    CHECK(tape.size() == 1);
    const Tensor constant = Tensor::scalar(1) + Tensor::scalar(2);  // no input needs a gradient
    CHECK_FALSE(constant.requires_grad());
    CHECK(tape.size() == 1);
}

TEST_CASE("recording scopes nest and restore when an exception unwinds") {
    Tape outer, inner;
    CHECK(active_tape() == nullptr);
    {
        Recording a(outer);
        try {
            Recording b(inner);
            CHECK(active_tape() == &inner);
            throw std::runtime_error("boom");
        } catch (const std::runtime_error&) {
        }
        CHECK(active_tape() == &outer);
        try {
            NoRecording off;
            throw std::runtime_error("boom");
        } catch (const std::runtime_error&) {
        }
        CHECK(active_tape() == &outer);
    }
    CHECK(active_tape() == nullptr);
}

TEST_CASE("misuse of backward is an error that says what to do") {
    Tensor w = param_of({2}, {1.0, 2.0});

    SUBCASE("non-scalar loss") {
        Tape tape;
        Recording on(tape);
        CHECK_THROWS_WITH_AS(tape.backward(w * 2.0),
                             "backward: the loss must be a scalar, got shape (2); reduce it first (sum or mean)",
                             std::logic_error);
    }
    SUBCASE("loss from another tape") {
        Tape first, second;
        Tensor loss;
        {
            Recording on(first);
            loss = sum(w);
        }
        CHECK_THROWS_WITH_AS(second.backward(loss),
                             "backward: the loss was recorded on a different tape; call backward on the tape "
                             "that was active when the loss was computed",
                             std::logic_error);
    }
    SUBCASE("loss never recorded") {
        Tape tape;
        const Tensor loss = sum(w);  // no Recording scope
        CHECK_THROWS_WITH_AS(tape.backward(loss),
                             "backward: the loss was not recorded on any tape; compute it inside "
                             "`Recording on(tape);` from tensors that require a gradient",
                             std::logic_error);
    }
    SUBCASE("second backward over the same recording") {
        Tape tape;
        Recording on(tape);
        const Tensor loss = sum(w * w);
        tape.backward(loss);
        CHECK_THROWS_WITH_AS(tape.backward(loss),
                             "backward: this tape has already run backward once; record the computation "
                             "again on a new Tape for another pass",
                             std::logic_error);
        CHECK_THROWS_AS(w * 2.0, std::logic_error);  // recording onto a swept tape
    }
    SUBCASE("reading a gradient that was never computed") {
        Tensor unused = param_of({}, {1.0}).named("unused");
        backward_of([&] { return sum(w); });
        CHECK_THROWS_WITH_AS(unused.grad(),
                             "grad: 'unused' has no gradient: no backward pass has reached it since it was "
                             "created or zero_grad() (was it used in the loss, inside a Recording scope?)",
                             std::logic_error);
        CHECK_THROWS_WITH_AS(Tensor::scalar(1).grad(),
                             "grad: this tensor has no gradient: it does not require one (call "
                             "set_requires_grad() on parameters)",
                             std::logic_error);
    }
    SUBCASE("an empty handle") {
        CHECK_THROWS_AS(Tensor().shape(), std::logic_error);
    }
}

TEST_CASE("the engine checks each backward's gradients and names the op") {
    Tensor x = param({2, 3}, 1);
    SUBCASE("wrong shape") {
        Tape tape;
        Recording on(tape);
        const Tensor y = record("broken_op", Array(value(x)), {x}, [](const Backward&) -> Grads {
            return {Array(xt::ones<real>(Shape{3, 2}))};
        });
        CHECK_THROWS_WITH_AS(tape.backward(sum(y)),
                             "broken_op: backward returned a gradient of shape (3, 2) for an input of shape (2, 3)",
                             std::logic_error);
    }
    SUBCASE("an in-place gradient asked for an input that needs none") {
        Tape tape;
        Recording on(tape);
        const Tensor constant = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
        const Tensor y = record("broken_op", Array(value(x)), {x, constant}, [](const Backward& g) -> Grads {
            g.input_grad(1);
            return {std::nullopt, std::nullopt};
        });
        CHECK_THROWS_WITH_AS(tape.backward(sum(y)), "input_grad: input 1 needs no gradient", std::logic_error);
    }
    SUBCASE("wrong number of gradients") {
        Tape tape;
        Recording on(tape);
        const Tensor y = record("broken_op", Array(value(x)), {x}, [](const Backward& g) -> Grads {
            return {g.dout, g.dout};
        });
        CHECK_THROWS_WITH_AS(tape.backward(sum(y)), "broken_op: backward returned 2 gradients for 1 inputs",
                             std::logic_error);
    }
    SUBCASE("a broadcast-shaped gradient is summed back") {
        Tensor row = param_of({3}, {1, 2, 3});
        backward_of([&] {
            const Tensor y = record("spread", Array(value(x)), {row}, [](const Backward& g) -> Grads {
                return {g.dout};  // (2, 3) for an input of shape (3)
            });
            return sum(y);
        });
        CHECK(row.grad().values() == std::vector<real>{2, 2, 2});
    }
}

TEST_CASE("a backward's braces move its arrays in: `return {std::move(dx)}` hands on dx's own buffer") {
    // A std::vector built from braces would copy each array (its initializer list's elements are
    // const); Grads builds each entry in place, so the input's gradient is the lambda's buffer.
    Tensor x = param({64, 32}, 3), y = param({64, 32}, 4);
    const real* made_x = nullptr;
    const real* made_y = nullptr;
    backward_of([&] {
        const Tensor out = record("two_outputs", value(x) + value(y), {x, y}, [&](const Backward& g) -> Grads {
            Array dx = g.dout * real(2), dy = g.dout * real(3);
            made_x = dx.data();
            made_y = dy.data();
            return {std::move(dx), std::move(dy)};
        });
        return sum(out);
    });
    CHECK(x.grad().values() == std::vector<real>(64 * 32, 2));
    CHECK(y.grad().values() == std::vector<real>(64 * 32, 3));
    CHECK(std::as_const(x).grad_data() == made_x);
    CHECK(std::as_const(y).grad_data() == made_y);
    const Grads counted(3);  // a lone number is a count of empty entries, not an entry
    CHECK(counted.size() == 3);
    CHECK_FALSE(counted[0].has_value());
}

TEST_CASE("a 100,000-op chain runs backward and is destroyed without recursion") {
    Tensor x = param_of({}, {1.0});
    {
        Tape tape;
        Recording on(tape);
        Tensor y = x;
        for (int i = 0; i < 100000; ++i) y = y * 1.00001 + 0.0;  // two nodes per step
        CHECK(tape.size() == 200000);
        tape.backward(y);
    }  // the tape and 200,000 nodes are destroyed here
    CHECK(x.grad().item() == doctest::Approx(std::pow(1.00001, 100000)).epsilon(1e-9));
}

TEST_CASE("set_requires_grad is for leaves only") {
    Tensor w = param_of({}, {1.0});
    Tape tape;
    Recording on(tape);
    Tensor y = w * 2.0;
    CHECK_THROWS_AS(y.set_requires_grad(), std::logic_error);
    CHECK_NOTHROW(y.detach().set_requires_grad());
}

TEST_CASE("anomaly mode names the first op whose output or gradient is NaN/Inf") {
    Tensor x = param_of({2}, {-1.0, 4.0});
    Tensor zero = param_of({1}, {0.0});
    Tape tape;
    Recording on(tape);
    CHECK_NOTHROW(log(x));  // off by default: NaN passes silently
    {
        AnomalyMode checks;
        CHECK_THROWS_WITH_AS(log(x), "anomaly: log produced NaN in its output of shape (2)", std::runtime_error);
        CHECK_THROWS_WITH_AS(exp(x * 1000.0), "anomaly: exp produced Inf in its output of shape (2)",
                             std::runtime_error);
        const Tensor mask = Tensor::from({2}, {1, 0});
        CHECK_NOTHROW(masked_fill(x, mask, -std::numeric_limits<real>::infinity()));  // deliberate
        const Tensor root = sqrt(zero);  // sqrt(0) = 0 is fine; its gradient 1/(2*0) is not
        CHECK_THROWS_WITH_AS(tape.backward(sum(root)),
                             "anomaly: backward of sqrt produced NaN/Inf in the gradient of input 0 (shape (1))",
                             std::runtime_error);
    }
    CHECK_FALSE(anomaly_mode());
}

TEST_CASE("the printed tape and the DOT graph show ops, shapes and bytes") {
    Tensor w = param({2, 3}, 1).named("W");
    Tensor x = Tensor::from({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8}).named("x");
    Tape tape;
    Recording on(tape);
    const Tensor loss = mean(tanh(matmul(x, w)));
    std::ostringstream printed;
    tape.print(printed);
    const std::string text = printed.str();
    INFO(text);
    CHECK(tape.size() == 3);
    CHECK(text.find("matmul") != std::string::npos);
    CHECK(text.find("x (4, 2) W (2, 3) -> (4, 3)") != std::string::npos);
    CHECK(text.find(std::to_string(12 * sizeof(real))) != std::string::npos);  // (4, 3) output bytes
    CHECK(text.find("3 nodes") != std::string::npos);

    const std::string dot = tape.to_dot();
    CHECK(dot.rfind("digraph tape {", 0) == 0);
    CHECK(dot.find("label=\"W (2, 3)\"") != std::string::npos);
    CHECK(dot.find("label=\"matmul\"") != std::string::npos);
    CHECK(dot.find("-> op0") != std::string::npos);
    (void)loss;
}

TEST_CASE("Rng is the standard mt19937_64 underneath, and reproducible") {
    Rng rng(5489);
    for (int i = 0; i < 9999; ++i) rng.next();
    CHECK(rng.next() == 9981545732273789042ULL);  // the value the C++ standard requires

    Rng a(42), b(42);
    for (int i = 0; i < 100; ++i) CHECK(a.normal() == b.normal());
    Rng stats(7);
    double total = 0, squares = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        const double z = stats.normal();
        total += z;
        squares += z * z;
    }
    CHECK(std::abs(total / n) < 0.01);          // mean 0, standard error 1/sqrt(n) = 0.0022
    CHECK(std::abs(squares / n - 1.0) < 0.02);  // variance 1, standard error sqrt(2/n) = 0.0032
    for (int i = 0; i < 1000; ++i) CHECK(stats.below(3) < 3);
}

TEST_CASE("arrays that cannot fit are refused before they are allocated, parameters counted until freed") {
    const std::size_t alive = parameter_bytes_alive();
    // absurd: more than any machine has (and more than std::size_t can count)
    CHECK_THROWS_AS(Tensor::zeros({std::size_t(1) << 40, std::size_t(1) << 30}), OutOfMemory);
    Rng rng(1);
    CHECK_THROWS_WITH_AS(uniform({std::size_t(1) << 62, 4}, -1, 1, rng),
                         doctest::Contains("array to train (x4: value, gradient, Adam's two moments) needs"), OutOfMemory);
    set_memory_limit(alive * 4 + 4000 * sizeof(real));  // room to train 1,000 more parameters
    struct Restore { ~Restore() { set_memory_limit(0); } } restore;
    CHECK_THROWS_WITH_AS(uniform({1001}, -1, 1, rng), doctest::Contains("more than the memory limit of"), OutOfMemory);
    {
        Tensor a = uniform({600}, -1, 1, rng).set_requires_grad();
        CHECK(parameter_bytes_alive() == alive + 600 * sizeof(real));
        CHECK_THROWS_WITH_AS(uniform({600}, -1, 1, rng), doctest::Contains("beside"), OutOfMemory);  // 1,200 > 1,000
        Tensor b = Tensor::zeros({600});  // made, but not yet a parameter: fits beside a
        CHECK_THROWS_WITH_AS(b.set_requires_grad(), doctest::Contains("the parameters need"), OutOfMemory);
        CHECK(parameter_bytes_alive() == alive + 600 * sizeof(real));  // a refused parameter is not counted
        Tensor shared = a;  // a second handle: the storage is counted once
        a.set_requires_grad();
        CHECK(parameter_bytes_alive() == alive + 600 * sizeof(real));
    }
    CHECK(parameter_bytes_alive() == alive);  // freed: counted no more
    Tensor c = uniform({1000}, -1, 1, rng).set_requires_grad();  // now it fits
    CHECK(parameter_bytes_alive() == alive + 1000 * sizeof(real));
}

TEST_CASE("add and reshape hand dL/dy on instead of copying it, only when no one else can read it") {
    // loss = sum((reshape(a + b, (3, 2)) + c)^2): two adds and a reshape pass dy on unchanged
    auto run = [](bool hold) {
        Tensor a = test::param({2, 3}, 1), b = test::param({2, 3}, 2), c = test::param({3, 2}, 3);
        Tape tape;
        Tensor held_sum, held_reshaped;
        {
            Recording on(tape);
            Tensor s = a + b;
            Tensor r = reshape(s, {3, 2});
            Tensor loss = sum((r + c) * (r + c));
            if (hold) {  // a user handle: these gradients must stay readable
                held_sum = s;
                held_reshaped = r;
            }
            s = Tensor();
            r = Tensor();
            tape.backward(loss);
        }
        if (hold) {
            CHECK(held_sum.has_grad());
            CHECK(held_reshaped.has_grad());
            CHECK(held_sum.grad().values() == held_reshaped.grad().values());  // reshape passes dy on, row-major
        }
        return std::make_tuple(a.grad().values(), b.grad().values(), c.grad().values(), tape.gradients_handed_on());
    };
    const auto [a1, b1, c1, handed_on_free] = run(false);
    const auto [a2, b2, c2, handed_on_held] = run(true);
    CHECK(a1 == a2);  // bit for bit: handing on changes no number
    CHECK(b1 == b2);
    CHECK(c1 == c2);
    // free: both (r + c), the reshape and a + b hand dy on (each add copies it once, for its other
    // input); held: s and r have a user handle, so only the two (r + c) may
    CHECK(handed_on_free == 4);
    CHECK(handed_on_held == 2);
}

TEST_CASE("backward frees an intermediate's gradient once its node has run, unless a user holds it") {
    // loss = sum(tanh(tanh(tanh(x)))): three intermediates, each read by one node
    auto run = [](bool hold_middle) {
        Tensor x = test::param({4, 5}, 7);
        Tape tape;
        Tensor held;
        {
            Recording on(tape);
            Tensor t1 = tanh(x);
            Tensor t2 = tanh(t1);
            Tensor t3 = tanh(t2);
            Tensor loss = sum(t3);
            if (hold_middle) held = t2;
            t1 = t2 = t3 = Tensor();
            tape.backward(loss);
        }
        if (hold_middle) {
            REQUIRE(held.has_grad());  // still readable: d loss / d t2 = (1 - t3^2) elementwise
            const std::vector<real> t2v = held.values(), g = held.grad().values();
            for (std::size_t i = 0; i < g.size(); ++i) {
                const real t3 = std::tanh(t2v[i]);
                CHECK(g[i] == doctest::Approx(1 - t3 * t3).epsilon(1e-6));  // float32: one rounding apart
            }
        }
        return std::make_pair(x.grad().values(), tape.gradients_freed());
    };
    const auto free_run = run(false);
    const auto held_run = run(true);
    CHECK(free_run.first == held_run.first);  // bit for bit: freeing changes no number
    CHECK(free_run.second == 3);              // t1, t2, t3 (the loss has the user's handle)
    CHECK(held_run.second == 2);              // t2 kept
}
