// matmul and bmm: closed form, every transpose-flag combination against xtensor-blas's dot as an
// independent reference, float64 gradient checks, and the shape-error messages.
#include <xtensor-blas/xlinalg.hpp>

#include "attn/gemm_log.hpp"
#include "attn/record.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::check_values;
using attn::test::param;
using attn::test::param_of;

namespace {

Array reference(const Array& a, bool ta, const Array& b, bool tb) {
    const Array op_a = ta ? Array(xt::transpose(a)) : a;
    const Array op_b = tb ? Array(xt::transpose(b)) : b;
    return xt::linalg::dot(op_a, op_b);
}

Trans flag(bool t) { return t ? Trans::yes : Trans::no; }

}  // namespace

TEST_CASE("matmul: closed form") {
    const Tensor a = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
    const Tensor b = Tensor::from({3, 2}, {7, 8, 9, 10, 11, 12});
    check_values(matmul(a, b), {58, 64, 139, 154});
    check_values(matmul(a, a, Trans::no, Trans::yes), {14, 32, 32, 77});  // a a^T
    check_values(matmul(a, a, Trans::yes, Trans::no), {17, 22, 27, 22, 29, 36, 27, 36, 45});  // a^T a
}

TEST_CASE("matmul and bmm agree with xtensor-blas for every transpose flag") {
    for (bool ta : {false, true}) {
        for (bool tb : {false, true}) {
            CAPTURE(ta);
            CAPTURE(tb);
            const Tensor a = param(ta ? Shape{5, 4} : Shape{4, 5}, 1);
            const Tensor b = param(tb ? Shape{3, 5} : Shape{5, 3}, 2);
            const Array expected = reference(value(a), ta, value(b), tb);
            check_values(matmul(a, b, flag(ta), flag(tb)),
                         std::vector<real>(expected.begin(), expected.end()), 1e-12);

            const Tensor ba = param(ta ? Shape{2, 5, 4} : Shape{2, 4, 5}, 3);
            const Tensor bb = param(tb ? Shape{2, 3, 5} : Shape{2, 5, 3}, 4);
            const Tensor got = bmm(ba, bb, flag(ta), flag(tb));
            REQUIRE(got.shape() == Shape{2, 4, 3});
            for (std::size_t i = 0; i < 2; ++i) {
                const Array ai = xt::view(value(ba), i), bi = xt::view(value(bb), i);
                const Array expected_i = reference(ai, ta, bi, tb);
                const Array got_i = xt::view(value(got), i);
                CHECK(xt::allclose(got_i, expected_i, 0, 1e-12));
            }
        }
    }
}

TEST_CASE("matmul and bmm: gradients for every transpose flag") {
    for (bool ta : {false, true}) {
        for (bool tb : {false, true}) {
            CAPTURE(ta);
            CAPTURE(tb);
            const Tensor a = param(ta ? Shape{5, 4} : Shape{4, 5}, 5);
            const Tensor b = param(tb ? Shape{3, 5} : Shape{5, 3}, 6);
            check_grads([&] { return matmul(a, b, flag(ta), flag(tb)); }, {a, b});
            const Tensor ba = param(ta ? Shape{3, 5, 4} : Shape{3, 4, 5}, 7);
            const Tensor bb = param(tb ? Shape{3, 2, 5} : Shape{3, 5, 2}, 8);
            check_grads([&] { return bmm(ba, bb, flag(ta), flag(tb)); }, {ba, bb});
        }
    }
    const Tensor square = param({3, 3}, 9);
    check_grads([&] { return matmul(square, square, Trans::no, Trans::yes); }, {square});  // A A^T
    const Tensor column = param({4, 1}, 10), row = param({1, 4}, 11);
    check_grads([&] { return matmul(column, row); }, {column, row});  // outer product, K = 1
}

TEST_CASE("matmul and bmm: shape errors name both shapes") {
    CHECK_THROWS_WITH_AS(matmul(Tensor::zeros({4, 8}), Tensor::zeros({16, 3})),
                         "matmul: inner dimensions differ: a is (4, 8), b is (16, 3)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(matmul(Tensor::zeros({4, 8}), Tensor::zeros({4, 8}), Trans::no, Trans::no),
                         "matmul: inner dimensions differ: a is (4, 8), b is (4, 8)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(matmul(Tensor::zeros({4, 8}), Tensor::zeros({3, 5}), Trans::yes, Trans::yes),
                         "matmul: inner dimensions differ: a is (4, 8) (transposed), b is (3, 5) (transposed)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(matmul(Tensor::zeros({2, 4, 8}), Tensor::zeros({2, 8, 3})),
                         "matmul: needs a 2-D b and a 2-D a (or an untransposed a of more axes, (..., K)): "
                         "a is (2, 4, 8), b is (2, 8, 3)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(matmul(Tensor::zeros({2, 8, 4}), Tensor::zeros({8, 3}), Trans::yes),
                         "matmul: needs a 2-D b and a 2-D a (or an untransposed a of more axes, (..., K)): "
                         "a is (2, 8, 4) (transposed), b is (8, 3)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(matmul(Tensor::zeros({2, 4, 8}), Tensor::zeros({7, 3})),
                         "matmul: inner dimensions differ: a is (2, 4, 8), b is (7, 3)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(bmm(Tensor::zeros({2, 4, 8}), Tensor::zeros({3, 8, 3})),
                         "bmm: batch sizes differ: a is (2, 4, 8), b is (3, 8, 3)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(bmm(Tensor::zeros({2, 4, 8}), Tensor::zeros({2, 7, 3})),
                         "bmm: inner dimensions differ: a is (2, 4, 8), b is (2, 7, 3)", std::invalid_argument);
}

TEST_CASE("matmul of a (..., K) array: every position by the same matrix, as the reshaped product") {
    // (2, 3, 4) x (4, 5): the twin flattens to (6, 4), multiplies, and restores (2, 3, 5)
    const Tensor x = param({2, 3, 4}, 20), w = param({4, 5}, 21), wt = param({5, 4}, 22);
    const Tensor direct = matmul(x, w);
    CHECK(direct.shape() == Shape{2, 3, 5});
    CHECK(direct.values() == reshape(matmul(reshape(x, {6, 4}), w), {2, 3, 5}).values());  // the same BLAS call
    CHECK(matmul(x, wt, Trans::no, Trans::yes).values() ==
          reshape(matmul(reshape(x, {6, 4}), wt, Trans::no, Trans::yes), {2, 3, 5}).values());
    check_grads([&] { return matmul(x, w); }, {x, w});
    check_grads([&] { return matmul(x, wt, Trans::no, Trans::yes); }, {x, wt});
    const Tensor x4 = param({2, 1, 3, 4}, 23);  // any number of leading axes
    CHECK(matmul(x4, w).shape() == Shape{2, 1, 3, 5});
    check_grads([&] { return matmul(x4, w); }, {x4, w});
    check_values(matmul(Tensor::zeros({2, 3, 0}), Tensor::zeros({0, 2})), std::vector<real>(12, 0));  // K = 0
}

TEST_CASE("bmm over two batch axes: one product per (b, h), as the flattened batch") {
    // (2, 3, 4, 5) x (2, 3, 5, 2): the twin folds (2, 3) into 6 batch elements and unfolds the result
    const Tensor a = param({2, 3, 4, 5}, 30), b = param({2, 3, 5, 2}, 31), bt = param({2, 3, 2, 5}, 32);
    const Tensor direct = bmm(a, b);
    CHECK(direct.shape() == Shape{2, 3, 4, 2});
    CHECK(direct.values() == reshape(bmm(reshape(a, {6, 4, 5}), reshape(b, {6, 5, 2})), {2, 3, 4, 2}).values());
    CHECK(bmm(a, bt, Trans::no, Trans::yes).values() ==
          reshape(bmm(reshape(a, {6, 4, 5}), reshape(bt, {6, 2, 5}), Trans::no, Trans::yes), {2, 3, 4, 2}).values());
    check_grads([&] { return bmm(a, b); }, {a, b});
    check_grads([&] { return bmm(a, bt, Trans::no, Trans::yes); }, {a, bt});
    check_grads([&] { return bmm(a, a, Trans::yes, Trans::no); }, {a});  // A^T A per (b, h): (2, 3, 5, 5)
    CHECK_THROWS_WITH_AS(bmm(a, param({3, 2, 5, 2}, 33)),
                         "bmm: batch sizes differ: a is (2, 3, 4, 5), b is (3, 2, 5, 2)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(bmm(a, param({6, 5, 2}, 34)),
                         "bmm: needs inputs of 3 or more axes, as many in each: a is (2, 3, 4, 5), b is (6, 5, 2)",
                         std::invalid_argument);
}

TEST_CASE("matmul with an empty inner dimension is all zeros") {
    check_values(matmul(Tensor::zeros({2, 0}), Tensor::zeros({0, 3})), {0, 0, 0, 0, 0, 0});
}

TEST_CASE("GemmLog records every BLAS call of matmul and bmm, forward and backward") {
    const Tensor a = param({2, 3}, 50), b = param({4, 3}, 51), batch = param({5, 2, 3}, 52);
    GemmLog log;
    Tape tape;
    {
        Recording on(tape);
        const Tensor first = sum(matmul(a, b, Trans::no, Trans::yes));
        const Tensor second = sum(bmm(batch, batch, Trans::yes, Trans::no));
        tape.backward(first + second);
    }
    REQUIRE(log.calls.size() == 6);  // 2 forward, then backward in reverse: two for bmm, two for matmul
    const GemmCall& forward = log.calls[0];
    CHECK((forward.trans_a == false && forward.trans_b == true));
    CHECK((forward.m == 2 && forward.n == 4 && forward.k == 3 && forward.batch == 1));
    CHECK((log.calls[1].m == 3 && log.calls[1].n == 3 && log.calls[1].k == 2 && log.calls[1].batch == 5));
    double flops = 0;
    for (const GemmCall& call : log.calls) flops += call.flops();
    // forward 2*2*4*3 + 2*3*3*2*5; each backward product has the same count as its forward one
    CHECK(flops == 3 * (2.0 * 2 * 4 * 3 + 2.0 * 3 * 3 * 2 * 5));
    {
        GemmLog inner;  // the innermost log records; the outer one gets nothing meanwhile
        matmul(a, b, Trans::no, Trans::yes);
        CHECK(inner.calls.size() == 1);
    }
    CHECK(log.calls.size() == 6);
}

TEST_CASE("linear: x W + b in one op, equal bit for bit to matmul(x, W) + b, values and gradients") {
    const Tensor x = param({2, 3, 4}, 40), w = param({4, 5}, 41), b = param({5}, 42);
    check_values(linear(Tensor::from({1, 2}, {1, 2}), Tensor::from({2, 2}, {1, 2, 3, 4}), Tensor::from({2}, {10, 20})),
                 {17, 30});  // (1 + 6 + 10, 2 + 8 + 20)
    const Tensor y = linear(x, w, b);
    CHECK(y.shape() == Shape{2, 3, 5});
    CHECK(y.values() == (matmul(x, w) + b).values());
    const auto gradients = [&](const std::function<Tensor()>& f) {
        for (Tensor t : {x, w, b}) t.zero_grad();
        Tape tape;
        Recording on(tape);
        tape.backward(attn::test::probe(f()));
        return std::vector<std::vector<real>>{x.grad().values(), w.grad().values(), b.grad().values()};
    };
    CHECK(gradients([&] { return linear(x, w, b); }) == gradients([&] { return matmul(x, w) + b; }));
    check_grads([&] { return linear(x, w, b); }, {x, w, b});
    const Tensor x2 = param({3, 4}, 43);
    check_grads([&] { return linear(x2, w, b); }, {x2, w, b});
    check_values(linear(param({2, 3}, 46), Tensor::zeros({3, 0}), Tensor::zeros({0})), {});  // no output columns
    CHECK_THROWS_WITH_AS(linear(x, w, param({4}, 44)), "linear: the bias must be (5), one per output column, got (4)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(linear(x, param({3, 5}, 45), b), "linear: inner dimensions differ: a is (2, 3, 4), b is (3, 5)",
                         std::invalid_argument);
}
