// Attention scores against hand computation, masking (padding, causal, fully masked rows),
// scaled dot-product and multi-head attention, gradients.
#include <cmath>
#include <limits>

#include "attn/nn/attention.hpp"
#include "attn/nn/multi_head.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_every_parameter_learns;
using attn::test::check_grads;
using attn::test::probe;
using attn::test::check_values;
using attn::test::param;
using attn::test::param_of;
using attn::test::tensors_of;

namespace {

/// The gradients one backward of probe(f()) leaves in `inputs`, as values.
std::vector<std::vector<real>> gradients_of(const std::function<Tensor()>& f, std::vector<Tensor> inputs) {
    for (Tensor& t : inputs) t.zero_grad();
    Tape tape;
    Recording on(tape);
    tape.backward(probe(f()));
    std::vector<std::vector<real>> grads;
    for (const Tensor& t : inputs) grads.push_back(t.grad().values());
    return grads;
}

double dot_row(const Tensor& a, std::size_t b, const Tensor& keys, std::size_t s) {
    double total = 0;
    for (std::size_t i = 0; i < a.shape(1); ++i) total += a.at({b, i}) * keys.at({b, s, i});
    return total;
}

}  // namespace

TEST_CASE("masks: padding and causal") {
    check_values(padding_mask({3, 1}, 3), {0, 0, 0, 0, 1, 1});
    check_values(causal_mask(3), {0, 1, 1, 0, 0, 1, 0, 0, 0});
}

TEST_CASE("attend: weights sum to 1 over real keys, padding gets 0, a fully masked row gives zeros") {
    const Tensor scores = Tensor::from({3, 3}, {1, 2, 3, 0, 5, 100, 1, 1, 1});
    const Tensor values = Tensor::from({3, 3, 2}, {1, 0, 0, 1, 1, 1, 2, 2, 4, 4, 9, 9, 1, 2, 3, 4, 5, 6});
    const Tensor mask = padding_mask({3, 2, 0}, 3);
    const Attention a = attend(scores, values, mask);
    const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
    check_values(slice(a.weights, 0, 0, 1), {std::exp(1.0) / z, std::exp(2.0) / z, std::exp(3.0) / z}, 1e-12);
    const double w0 = 1 / (1 + std::exp(5.0));  // key 2 (score 100) is padding: ignored
    check_values(slice(a.weights, 0, 1, 2), {w0, 1 - w0, 0}, 1e-12);
    check_values(slice(a.weights, 0, 2, 3), {0, 0, 0});
    check_values(slice(a.context, 0, 1, 2), {w0 * 2 + (1 - w0) * 4, w0 * 2 + (1 - w0) * 4}, 1e-12);
    check_values(slice(a.context, 0, 2, 3), {0, 0});
    for (real v : a.weights.values()) CHECK(std::isfinite(v));
}

TEST_CASE("additive and dot scores match their formulas") {
    Rng rng(1);
    const std::size_t B = 2, S = 3, Dq = 4, Dk = 4, A = 5;
    const Tensor q = param({B, Dq}, 2), keys = param({B, S, Dk}, 3);

    AdditiveScore additive(Dq, Dk, A, rng);
    const Tensor e_add = additive.scores(q, additive.prepare(keys));
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t s = 0; s < S; ++s) {
            double e = 0;  // v_a^T tanh(W_a q + U_a h_s)
            for (std::size_t a = 0; a < A; ++a) {
                double pre = 0;
                for (std::size_t i = 0; i < Dq; ++i) pre += q.at({b, i}) * additive.W_a.at({i, a});
                for (std::size_t i = 0; i < Dk; ++i) pre += keys.at({b, s, i}) * additive.U_a.at({i, a});
                e += additive.v_a.at({a}) * std::tanh(pre);
            }
            CHECK(e_add.at({b, s}) == doctest::Approx(e).epsilon(1e-12));
        }

    DotScore dot;
    const Tensor e_dot = dot.scores(q, dot.prepare(keys));
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t s = 0; s < S; ++s) CHECK(e_dot.at({b, s}) == doctest::Approx(dot_row(q, b, keys, s)).epsilon(1e-12));
    CHECK(additive.parameter_count() == Dq * A + Dk * A + A);
    CHECK(dot.parameter_count() == 0);
}

// (chapter 2's score and chapter 3's apart: each exercise's check passes before the next one is done)
TEST_CASE("general and concat scores match their formulas") {
    Rng rng(1);
    const std::size_t B = 2, S = 3, Dq = 4, Dk = 4, A = 5;
    const Tensor q = param({B, Dq}, 2), keys = param({B, S, Dk}, 3);
    GeneralScore general(Dq, Dk, rng);
    const Tensor e_gen = general.scores(q, general.prepare(keys));
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t s = 0; s < S; ++s) {
            double e = 0;  // h^T W_a hbar
            for (std::size_t i = 0; i < Dq; ++i)
                for (std::size_t j = 0; j < Dk; ++j) e += q.at({b, i}) * general.W_a.at({i, j}) * keys.at({b, s, j});
            CHECK(e_gen.at({b, s}) == doctest::Approx(e).epsilon(1e-12));
        }

    ConcatScore concat_score(Dq, Dk, A, rng);
    const Tensor e_cat = concat_score.scores(q, concat_score.prepare(keys));
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t s = 0; s < S; ++s) {
            double e = 0;  // v_a^T tanh(W_a [h; hbar])
            for (std::size_t a = 0; a < A; ++a) {
                double pre = 0;
                for (std::size_t i = 0; i < Dq; ++i) pre += q.at({b, i}) * concat_score.W_a.at({i, a});
                for (std::size_t i = 0; i < Dk; ++i) pre += keys.at({b, s, i}) * concat_score.W_a.at({Dq + i, a});
                e += concat_score.v_a.at({a}) * std::tanh(pre);
            }
            CHECK(e_cat.at({b, s}) == doctest::Approx(e).epsilon(1e-12));
        }

    CHECK(general.parameter_count() == Dq * Dk);
    CHECK(concat_score.parameter_count() == (Dq + Dk) * A + A);
}

namespace {
/// Every parameter of each score learns, and float64 gradient checks: of the scores alone, or of
/// attention through attend with padding (which needs chapter 2's context-vector exercise).
void check_scores_learn(const std::vector<AttentionScore*>& scores, bool through_attend) {
    const Tensor q = param({2, 3}, 5), keys = param({2, 4, 3}, 6);
    const Tensor mask = padding_mask({4, 2}, 4);
    for (AttentionScore* score : scores) {
        auto f = [&] {
            if (!through_attend) return score->scores(q, score->prepare(keys));  // (B, S)
            const Attention a = score->forward(q, score->prepare(keys), keys, mask);
            return concat({a.context, a.weights}, 1);
        };
        if (score->parameter_count() > 0) check_every_parameter_learns(*score, [&] { return probe(f()); });
        std::vector<Tensor> inputs = tensors_of(*score);
        inputs.push_back(q);
        inputs.push_back(keys);
        check_grads(f, inputs);
    }
}
}  // namespace

// (the scores alone: chapter 2 checks its score before it writes attend)
TEST_CASE("additive and dot scores: every parameter learns; float64 gradient checks") {
    Rng rng(4);
    AdditiveScore additive(3, 3, 5, rng);
    DotScore dot;
    check_scores_learn({&additive, &dot}, false);
}

TEST_CASE("general and concat attention: every parameter learns; float64 gradient checks through attend with padding") {
    Rng rng(4);
    GeneralScore general(3, 3, rng);
    ConcatScore concat_score(3, 3, 5, rng);
    check_scores_learn({&general, &concat_score}, true);
}

TEST_CASE("attention: masked keys are invisible (appending them changes nothing)") {
    Rng rng(7);
    AdditiveScore score(3, 3, 4, rng);
    const Tensor q = param({1, 3}, 8), keys = param({1, 2, 3}, 9);
    const Tensor more_keys = concat({keys, param({1, 3, 3}, 10)}, 1);
    const Attention a = score.forward(q, score.prepare(keys), keys, padding_mask({2}, 2));
    const Attention b = score.forward(q, score.prepare(more_keys), more_keys, padding_mask({2}, 5));
    check_values(b.context, a.context.values(), 1e-14);
    check_values(slice(b.weights, 1, 0, 2), a.weights.values(), 1e-14);
}

TEST_CASE("scaled dot-product attention: formula, causal mask, gradients") {
    const Tensor Q = param({2, 3, 4}, 11), K = param({2, 3, 4}, 12), V = param({2, 3, 2}, 13);
    const Attention a = scaled_dot_product_attention(Q, K, V, causal_mask(3));
    // weights[b, i, j] = softmax_j(q_i . k_j / 2) over j <= i
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t i = 0; i < 3; ++i) {
            std::vector<double> e(3);
            double z = 0;
            for (std::size_t j = 0; j <= i; ++j) {
                double d = 0;
                for (std::size_t k = 0; k < 4; ++k) d += Q.at({b, i, k}) * K.at({b, j, k});
                e[j] = std::exp(d / 2);
                z += e[j];
            }
            for (std::size_t j = 0; j < 3; ++j) CHECK(a.weights.at({b, i, j}) == doctest::Approx(j <= i ? e[j] / z : 0).epsilon(1e-12));
        }
    check_grads([&] { return scaled_dot_product_attention(Q, K, V, causal_mask(3)).context; }, {Q, K, V});
    CHECK_THROWS_WITH_AS(scaled_dot_product_attention(Q, param({2, 3, 5}, 1), V, Tensor()),
                         "scaled_dot_product_attention: needs Q (B, [H,] Tq, d), K (B, [H,] Tk, d), V (B, [H,] Tk, dv), got "
                         "(2, 3, 4), (2, 3, 5), (2, 3, 2)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(scaled_dot_product_attention(Q, K, V, Tensor(), 0.5),
                         "scaled_dot_product_attention: attention dropout needs a random generator", std::invalid_argument);
}

TEST_CASE("scaled dot-product attention with a head axis: each head as its own 3-D attention; dropout after the weights") {
    // Q (B, H, Tq, d), K and V (B, H, Tk, d), key padding (B, 1, 1, Tk) broadcast over heads and queries
    const Tensor Q = param({2, 3, 2, 4}, 31), K = param({2, 3, 5, 4}, 32), V = param({2, 3, 5, 2}, 33);
    const Tensor mask = reshape(padding_mask({5, 3}, 5), {2, 1, 1, 5});
    const Attention a = scaled_dot_product_attention(Q, K, V, mask);
    CHECK(a.context.shape() == Shape{2, 3, 2, 2});
    CHECK(a.weights.shape() == Shape{2, 3, 2, 5});
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t h = 0; h < 3; ++h) {
            auto head = [&](const Tensor& x) { return reshape(slice(slice(x, 0, b, b + 1), 1, h, h + 1), {1, x.shape(2), x.shape(3)}); };
            const Attention one = scaled_dot_product_attention(head(Q), head(K), head(V), reshape(slice(mask, 0, b, b + 1), {1, 1, 5}));
            check_values(head(a.context), one.context.values(), 1e-14);
            check_values(head(a.weights), one.weights.values(), 1e-14);
        }
    check_grads([&] { return scaled_dot_product_attention(Q, K, V, mask).context; }, {Q, K, V});

    // dropout: the returned weights are before dropout; the context reads the dropped ones
    Rng r1(3), r2(3);
    const Attention dropped = scaled_dot_product_attention(Q, K, V, mask, 0.5, &r1);
    check_values(dropped.weights, a.weights.values(), 0);
    const Tensor kept = dropout(a.weights, 0.5, r2, true);  // the same draws
    check_values(dropped.context, reshape(bmm(reshape(kept, {6, 2, 5}), reshape(V, {6, 5, 2})), {2, 3, 2, 2}).values(), 1e-14);
    CHECK(dropped.context.values() != a.context.values());
}

TEST_CASE("split_heads: (B, T, D) to (B, h, T, D/h), head k holding columns k*d .. (k+1)*d - 1") {
    const Tensor x = Tensor::from({1, 2, 4}, {0, 1, 2, 3, 10, 11, 12, 13});  // B 1, T 2, D 4
    const Tensor y = split_heads(x, 2);
    CHECK(y.shape() == Shape{1, 2, 2, 2});
    check_values(y, {0, 1, 10, 11, 2, 3, 12, 13});  // head 0: columns 0-1 of both positions; head 1: columns 2-3
    const Tensor z = param({2, 3, 6}, 1);
    check_grads([&] { return split_heads(z, 3); }, {z});
}

TEST_CASE("merge_heads: (B, h, T, d) back to (B, T, h*d), the inverse of split_heads") {
    const Tensor y = Tensor::from({1, 2, 2, 2}, {0, 1, 10, 11, 2, 3, 12, 13});
    const Tensor x = merge_heads(y);
    CHECK(x.shape() == Shape{1, 2, 4});
    check_values(x, {0, 1, 2, 3, 10, 11, 12, 13});
    const Tensor z = param({2, 3, 4, 2}, 2);
    check_grads([&] { return merge_heads(z); }, {z});
    const Tensor w = param({2, 3, 6}, 3);
    check_values(merge_heads(split_heads(w, 2)), w.values(), 0);
}

TEST_CASE("head_scores and head_context: the heads' products in place, equal bit for bit to split_heads, bmm, merge_heads") {
    // B 2, Tq 3, Tk 5, D 6 in 3 heads of d = 2
    const Tensor q = param({2, 3, 6}, 50), k = param({2, 5, 6}, 51), v = param({2, 5, 6}, 52), p = param({2, 3, 3, 5}, 53);
    const auto scores = [&] { return head_scores(q, k, 3); };
    const auto scores_composed = [&] { return bmm(split_heads(q, 3), split_heads(k, 3), Trans::no, Trans::yes); };
    CHECK(scores().shape() == Shape{2, 3, 3, 5});
    CHECK(scores().values() == scores_composed().values());
    CHECK(gradients_of(scores, {q, k}) == gradients_of(scores_composed, {q, k}));
    const auto context = [&] { return head_context(p, v); };
    const auto context_composed = [&] { return merge_heads(bmm(p, split_heads(v, 3))); };
    CHECK(context().shape() == Shape{2, 3, 6});
    CHECK(context().values() == context_composed().values());
    CHECK(gradients_of(context, {p, v}) == gradients_of(context_composed, {p, v}));
    check_grads(scores, {q, k});  // and against central differences (float64, the default tolerance)
    check_grads(context, {p, v});
    // a hand case: one position, D 4 in 2 heads; head 0 multiplies columns 0-1, head 1 columns 2-3
    const Tensor a = Tensor::from({1, 1, 4}, {1, 2, 3, 4}), b = Tensor::from({1, 1, 4}, {5, 6, 7, 8});
    check_values(head_scores(a, b, 2), {1 * 5 + 2 * 6, 3 * 7 + 4 * 8});
    check_values(head_context(Tensor::from({1, 2, 1, 1}, {2, 10}), b), {10, 12, 70, 80});
    CHECK_THROWS_WITH_AS(head_scores(q, k, 4), "head_scores: needs (B, T, D) arrays with D divisible into 4 heads, got (2, 3, 6)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(head_scores(q, param({1, 5, 6}, 54), 3),
                         "head_scores: q and k must be (B, Tq, D) and (B, Tk, D), got (2, 3, 6) and (1, 5, 6)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(head_context(param({2, 3, 5}, 56), v),
                         "head_context: p and v must be (B, H, Tq, Tk) and (B, Tk, D), got (2, 3, 5) and (2, 5, 6)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(head_context(param({2, 4, 3, 5}, 57), v),
                         "head_context: needs (B, T, D) arrays with D divisible into 4 heads, got (2, 5, 6)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(head_context(p, param({2, 4, 6}, 55)),
                         "head_context: p and v must be (B, H, Tq, Tk) and (B, Tk, D), got (2, 3, 3, 5) and (2, 4, 6)",
                         std::invalid_argument);
}

TEST_CASE("multi-head attention on the heads' columns equals the composed form bit for bit: masks, dropout, gradients") {
    Rng rng(60);
    MultiHeadAttention mha(8, 2, rng, 0.25);
    const Tensor x = param({2, 3, 8}, 61), memory = param({2, 4, 8}, 62);
    const Tensor key_mask = reshape(padding_mask({4, 2}, 4), {2, 1, 1, 4});
    for (const bool training : {true, false}) {
        if (!training) mha.eval();
        for (const bool cross : {false, true}) {  // self-attention with a causal mask; cross-attention with key padding
            const Tensor keys = cross ? memory : x, mask = cross ? key_mask : causal_mask(3);
            const auto run = [&](bool composed) {
                mha.composed = composed;
                Rng draws(7);  // the same dropout draws on both paths
                return mha.forward(x, keys, keys, mask, draws);
            };
            std::vector<Tensor> inputs = tensors_of(mha);
            inputs.push_back(x);
            if (cross) inputs.push_back(memory);
            const MultiHeadAttention::Output fused = run(false), composed = run(true);
            CHECK(fused.output.values() == composed.output.values());
            CHECK(fused.weights.values() == composed.weights.values());
            CHECK(gradients_of([&] { return run(false).output; }, inputs) == gradients_of([&] { return run(true).output; }, inputs));
        }
    }
    mha.composed = false;
}

TEST_CASE("multi-head attention decoding one position at a time equals the causal forward over the whole sequence") {
    Rng rng(40);
    MultiHeadAttention mha(8, 2, rng);
    const Tensor x = param({2, 4, 8}, 41), memory = param({2, 3, 8}, 42);
    const MultiHeadAttention::Output full = mha.forward(x, x, x, causal_mask(4), rng);
    MultiHeadAttention::KeysValues cache = mha.empty_cache(2);
    CHECK(cache.K.shape() == Shape{2, 0, 8});
    for (std::size_t t = 0; t < 4; ++t) {
        const MultiHeadAttention::Output one = mha.attend_cached(slice(x, 1, t, t + 1), cache, Tensor(), rng);
        CHECK(cache.K.shape() == Shape{2, t + 1, 8});
        check_values(one.output, slice(full.output, 1, t, t + 1).values(), 1e-12);
        check_values(one.weights, slice(slice(full.weights, 2, t, t + 1), 3, 0, t + 1).values(), 1e-12);
    }
    // cross-attention to keys and values projected once
    const MultiHeadAttention::KeysValues projected = mha.project(memory);
    check_values(mha.attend(x, projected, Tensor(), rng).output, mha.forward(x, memory, memory, Tensor(), rng).output.values(), 0);
}

TEST_CASE("multi-head attention: heads, masks, count, gradients") {
    Rng rng(20);
    MultiHeadAttention mha(8, 2, rng);
    CHECK(mha.parameter_count() == 4 * (8 * 8 + 8));
    const Tensor x = param({2, 3, 8}, 21), memory = param({2, 4, 8}, 22);

    // split/merge are inverses
    CHECK(split_heads(x, 2).shape() == Shape{2, 2, 3, 4});
    check_values(merge_heads(split_heads(x, 2)), x.values(), 0);

    // self-attention with a causal mask: no weight on the future
    const MultiHeadAttention::Output self = mha.forward(x, x, x, causal_mask(3), rng);
    CHECK(self.weights.shape() == Shape{2, 2, 3, 3});
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t h = 0; h < 2; ++h)
            for (std::size_t i = 0; i < 3; ++i)
                for (std::size_t j = i + 1; j < 3; ++j) CHECK(self.weights.at({b, h, i, j}) == 0);

    // cross-attention with key padding: (B, 1, 1, Tk)
    const Tensor key_mask = reshape(padding_mask({4, 2}, 4), {2, 1, 1, 4});
    const MultiHeadAttention::Output cross = mha.forward(x, memory, memory, key_mask, rng);
    CHECK(cross.output.shape() == Shape{2, 3, 8});
    for (std::size_t h = 0; h < 2; ++h)
        for (std::size_t i = 0; i < 3; ++i) CHECK(cross.weights.at({1, h, i, 2}) + cross.weights.at({1, h, i, 3}) == 0);

    // one head equals scaled dot-product attention of the projections
    MultiHeadAttention single(8, 1, rng);
    const Attention reference = scaled_dot_product_attention(single.W_q.forward(x), single.W_k.forward(memory),
                                                             single.W_v.forward(memory), Tensor());
    check_values(single.forward(x, memory, memory, Tensor(), rng).output, single.W_o.forward(reference.context).values(), 1e-12);

    auto f = [&] { return mha.forward(x, memory, memory, key_mask, rng).output; };
    check_every_parameter_learns(mha, [&] { return probe(f()); });
    std::vector<Tensor> inputs = tensors_of(mha);
    inputs.push_back(x);
    inputs.push_back(memory);
    check_grads(f, inputs);
    MultiHeadAttention dropping(8, 2, rng, 0.5);  // eval() must reach the attention dropout
    dropping.eval();
    Rng r1(1), r2(2);
    CHECK(dropping.forward(x, x, x, Tensor(), r1).output.values() == dropping.forward(x, x, x, Tensor(), r2).output.values());
    CHECK_THROWS_WITH_AS(MultiHeadAttention(8, 3, rng), "MultiHeadAttention: width 8 is not divisible into 3 heads",
                         std::invalid_argument);
}
