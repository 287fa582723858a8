// reshape, permute/transpose, concat, stack, slice, index_select, embedding.
#include <algorithm>
#include <numeric>

#include "attn/record.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::check_values;
using attn::test::param;
using attn::test::param_of;

TEST_CASE("reshape, permute, transpose: closed form and gradients") {
    const Tensor x = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
    CHECK(reshape(x, {3, 2}).shape() == Shape{3, 2});
    check_values(reshape(x, {6}), {1, 2, 3, 4, 5, 6});
    check_values(transpose(x, 0, 1), {1, 4, 2, 5, 3, 6});
    const Tensor cube = Tensor::from({2, 1, 3}, {1, 2, 3, 4, 5, 6});
    const Tensor p = permute(cube, {2, 0, 1});
    CHECK(p.shape() == Shape{3, 2, 1});
    check_values(p, {1, 4, 2, 5, 3, 6});

    const Tensor w = param({2, 3, 4}, 31);
    check_grads([&] { return reshape(w, {4, 6}); }, {w});
    check_grads([&] { return permute(w, {2, 0, 1}); }, {w});
    check_grads([&] { return permute(w, {1, 2, 0}) * param({1, 4, 2}, 32); }, {w});
    check_grads([&] { return transpose(w, -1, 0); }, {w});
}

TEST_CASE("permute's row-copying fast path equals xtensor's transpose, for every permutation up to 4-D") {
    Rng rng(7);
    for (const Shape& shape : {Shape{3, 4}, Shape{2, 3, 4}, Shape{2, 3, 1, 5}, Shape{4, 2, 3, 2}, Shape{1, 1, 3}}) {
        const Tensor x = uniform(shape, -1, 1, rng);
        std::vector<std::size_t> axes(shape.size());
        std::iota(axes.begin(), axes.end(), 0);
        do {
            CAPTURE(to_string(shape));
            CAPTURE(to_string(axes));
            const Array fast = permuted(value(x), axes), plain = xt::transpose(value(x), axes);
            CHECK(fast.shape() == plain.shape());
            CHECK(fast == plain);  // a copy: bit for bit
        } while (std::next_permutation(axes.begin(), axes.end()));
    }
}

TEST_CASE("reshape and permute: errors") {
    const Tensor x = Tensor::zeros({2, 3});
    CHECK_THROWS_WITH_AS(reshape(x, {4, 2}), "reshape: cannot reshape (2, 3) (6 elements) to (4, 2) (8 elements)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(permute(x, {0, 0}), "permute: axes (0, 0) are not a permutation of the 2 axes of (2, 3)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(transpose(x, 0, 2), "transpose: axis 2 is out of range for shape (2, 3)",
                         std::invalid_argument);
}

TEST_CASE("concat and stack: closed form and gradients") {
    const Tensor a = Tensor::from({2, 1}, {1, 2});
    const Tensor b = Tensor::from({2, 2}, {3, 4, 5, 6});
    check_values(concat({a, b}, 1), {1, 3, 4, 2, 5, 6});
    check_values(concat({b, b}, 0), {3, 4, 5, 6, 3, 4, 5, 6});
    const Tensor s = stack({a, a * 10.0}, 0);
    CHECK(s.shape() == Shape{2, 2, 1});
    check_values(s, {1, 2, 10, 20});
    check_values(stack({a, a * 10.0}, -1), {1, 10, 2, 20});

    const Tensor x = param({2, 3, 4}, 33), y = param({2, 1, 4}, 34), z = param({2, 2, 4}, 35);
    check_grads([&] { return concat({x, y, z}, 1); }, {x, y, z});
    check_grads([&] { return concat({x, x}, -1); }, {x});
    const Tensor u = param({3, 4}, 36), v = param({3, 4}, 37);
    for (int axis : {0, 1, 2, -1}) {
        CAPTURE(axis);
        check_grads([&] { return stack({u, v, u}, axis); }, {u, v});
    }
}

TEST_CASE("concat and stack: errors") {
    CHECK_THROWS_WITH_AS(concat({Tensor::zeros({2, 3}), Tensor::zeros({3, 3})}, 1),
                         "concat: tensor 1 has shape (3, 3), which does not match tensor 0's shape (2, 3) outside axis 1",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(concat({}, 0), "concat: needs at least one tensor", std::invalid_argument);
    CHECK_THROWS_WITH_AS(stack({Tensor::zeros({2}), Tensor::zeros({3})}, 0),
                         "stack: tensor 1 has shape (3), tensor 0 has (2)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(stack({Tensor::zeros({2})}, 2),
                         "stack: axis 2 is out of range for stacking tensors of shape (2)", std::invalid_argument);
}

TEST_CASE("slice: closed form, gradients, errors") {
    const Tensor x = Tensor::from({2, 4}, {0, 1, 2, 3, 4, 5, 6, 7});
    check_values(slice(x, 1, 1, 3), {1, 2, 5, 6});
    check_values(slice(x, 0, 1, 2), {4, 5, 6, 7});
    CHECK(slice(x, 1, 2, 2).shape() == Shape{2, 0});
    const Tensor w = param({3, 5, 2}, 38);
    check_grads([&] { return slice(w, 1, 1, 4); }, {w});
    check_grads([&] { return slice(w, -1, 0, 1); }, {w});
    check_grads([&] { return slice(w, 0, 2, 3); }, {w});
    CHECK_THROWS_WITH_AS(slice(x, 1, 3, 5), "slice: range [3, 5) is not inside axis 1 of shape (2, 4)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(slice(x, 1, 3, 2), "slice: range [3, 2) is not inside axis 1 of shape (2, 4)",
                         std::invalid_argument);
}

TEST_CASE("slice, index_select and embedding add their gradients in place: with other uses of the input") {
    // Their backward writes into the input's gradient directly (Backward::input_grad), so these
    // check that it adds to what other nodes contributed, whichever runs first.
    const Tensor w = param({3, 4}, 41);
    check_grads([&] { return slice(w, 1, 0, 3) * slice(w, 1, 1, 4) + sum(slice(w, 1, 2, 4), 1, true) + sum(w, 1, true); }, {w});
    check_grads([&] { return w * 2.0 + concat({slice(w, 0, 1, 3), index_select(w, 0, Ids({2}))}, 0); }, {w});
    check_grads([&] { return matmul(embedding(w, Ids({2, 1, 2}), /*padding_id=*/0), w, Trans::no, Trans::yes) + slice(w, 1, 0, 3); }, {w});
}

TEST_CASE("index_select: gathers along an axis, scatter-adds back") {
    const Tensor x = Tensor::from({3, 2}, {1, 2, 3, 4, 5, 6});
    check_values(index_select(x, 0, Ids({2, 0, 2})), {5, 6, 1, 2, 5, 6});
    check_values(index_select(x, 1, Ids({1})), {2, 4, 6});
    const Tensor w = param({4, 3, 2}, 39);
    check_grads([&] { return index_select(w, 0, Ids({3, 1, 3, 3})); }, {w});  // repeats add up
    check_grads([&] { return index_select(w, 1, Ids({2, 0})); }, {w});
    check_grads([&] { return index_select(w, -1, Ids({1, 1, 0})); }, {w});
    CHECK_THROWS_WITH_AS(index_select(x, 0, Ids({0, 3})),
                         "index_select: id 3 (at position 1) is out of range for axis 0 of size 3",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(index_select(x, 0, Ids({2, 2}, {0, 1, 0, 1})),
                         "index_select: ids must be 1-D, got shape (2, 2)", std::invalid_argument);
}

TEST_CASE("embedding: rows by id, any id shape, scatter-add backward, range errors") {
    const Tensor weight = Tensor::from({3, 2}, {1, 2, 3, 4, 5, 6});
    const Tensor e = embedding(weight, Ids({2, 2}, {2, 0, 0, 1}));
    CHECK(e.shape() == Shape{2, 2, 2});
    check_values(e, {5, 6, 1, 2, 1, 2, 3, 4});

    Tensor w = param({5, 3}, 40);
    check_grads([&] { return embedding(w, Ids({2, 3}, {4, 0, 4, 1, 4, 2})); }, {w});
    Tape tape;
    {
        Recording on(tape);
        tape.backward(sum(embedding(w, Ids({1, 1, 3}))));
    }
    check_values(w.grad(), {0, 0, 0, 2, 2, 2, 0, 0, 0, 1, 1, 1, 0, 0, 0});  // row 1 used twice
    w.zero_grad();
    Tape padded;
    {
        Recording on(padded);
        const Tensor e = embedding(w, Ids({0, 1, 0, 3}), /*padding_id=*/0);
        check_values(reshape(slice(e, 0, 0, 1), {3}), reshape(slice(w, 0, 0, 1), {3}).values());  // pad row is read
        padded.backward(sum(e));
    }
    check_values(w.grad(), {0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0});  // no gradient into row 0
    // (No finite-difference check here: the output does depend on row 0, by design its gradient is 0.)

    CHECK_THROWS_WITH_AS(embedding(Tensor::zeros({64, 8}), Ids({3, 70})),
                         "embedding: id 70 (at position 1) is out of range for a vocabulary of size 64",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(embedding(Tensor::zeros({64, 8}), Ids({-1})),
                         "embedding: id -1 (at position 0) is out of range for a vocabulary of size 64",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(embedding(Tensor::zeros({64}), Ids({1})), "embedding: weight must be (V, D), got (64)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(Ids({2, 2}, {1, 2, 3}), "Ids: shape (2, 2) needs 4 values, got 3", std::invalid_argument);
}
