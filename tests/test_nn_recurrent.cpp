// Recurrent cells against their equations computed by hand, and the sequence runner:
// lengths, final states, bidirectional order, pad invariance, gradients.
#include <cmath>

#include "attn/nn/composed.hpp"
#include "attn/nn/recurrent.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_every_parameter_learns;
using attn::test::check_grads;
using attn::test::probe;
using attn::test::check_values;
using attn::test::param;
using attn::test::tensors_of;

namespace {

double sigm(double x) { return 1 / (1 + std::exp(-x)); }

/// (x W_i + b_i + h W_h + b_h)[gate * H + j] for row b, in plain loops.
double preact(const RecurrentCell& cell, const Tensor& x, const Tensor& h, std::size_t b, std::size_t col,
              bool with_hidden = true) {
    double s = cell.b_i.at({col}) + (with_hidden ? cell.b_h.at({col}) : 0);
    for (std::size_t i = 0; i < cell.input_size; ++i) s += x.at({b, i}) * cell.W_i.at({i, col});
    if (with_hidden)
        for (std::size_t i = 0; i < cell.hidden_size; ++i) s += h.at({b, i}) * cell.W_h.at({i, col});
    return s;
}

double hidden_part(const RecurrentCell& cell, const Tensor& h, std::size_t b, std::size_t col) {
    double s = cell.b_h.at({col});
    for (std::size_t i = 0; i < cell.hidden_size; ++i) s += h.at({b, i}) * cell.W_h.at({i, col});
    return s;
}


}  // namespace

TEST_CASE("cells match their equations computed by hand") {
    Rng rng(1);
    const std::size_t B = 2, I = 3, H = 4;
    const Tensor x = param({B, I}, 2), h = param({B, H}, 3), c = param({B, H}, 4);

    RnnCell rnn(I, H, rng);
    const Tensor r_out = rnn.step(x, {h, {}}).h;
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t j = 0; j < H; ++j) CHECK(r_out.at({b, j}) == doctest::Approx(std::tanh(preact(rnn, x, h, b, j))).epsilon(1e-12));

    GruCell gru(I, H, rng);
    const Tensor g_out = gru.step(x, {h, {}}).h;
    for (std::size_t b = 0; b < B; ++b) {
        for (std::size_t j = 0; j < H; ++j) {
            const double r = sigm(preact(gru, x, h, b, j));
            const double z = sigm(preact(gru, x, h, b, H + j));
            const double n = std::tanh(preact(gru, x, h, b, 2 * H + j, false) + r * hidden_part(gru, h, b, 2 * H + j));
            CHECK(g_out.at({b, j}) == doctest::Approx((1 - z) * n + z * h.at({b, j})).epsilon(1e-12));
        }
    }

    LstmCell lstm(I, H, rng);
    const RecurrentState l_out = lstm.step(x, {h, c});
    for (std::size_t b = 0; b < B; ++b) {
        for (std::size_t j = 0; j < H; ++j) {
            const double i = sigm(preact(lstm, x, h, b, j)), f = sigm(preact(lstm, x, h, b, H + j));
            const double g = std::tanh(preact(lstm, x, h, b, 2 * H + j)), o = sigm(preact(lstm, x, h, b, 3 * H + j));
            const double c_next = f * c.at({b, j}) + i * g;
            CHECK(l_out.c.at({b, j}) == doctest::Approx(c_next).epsilon(1e-12));
            CHECK(l_out.h.at({b, j}) == doctest::Approx(o * std::tanh(c_next)).epsilon(1e-12));
        }
    }
}

TEST_CASE("cells: parameter counts, every parameter learns, gradient checks") {
    Rng rng(5);
    const Tensor x = param({2, 3}, 6), h = param({2, 4}, 7), c = param({2, 4}, 8);
    RnnCell rnn(3, 4, rng);
    GruCell gru(3, 4, rng);
    LstmCell lstm(3, 4, rng);
    CHECK(rnn.parameter_count() == 3 * 4 + 4 * 4 + 4 + 4);
    CHECK(gru.parameter_count() == 3 * (3 * 4 + 4 * 4 + 4 + 4));
    CHECK(lstm.parameter_count() == 4 * (3 * 4 + 4 * 4 + 4 + 4));
    for (RecurrentCell* cell : std::vector<RecurrentCell*>{&rnn, &gru, &lstm}) {
        const RecurrentState s{h, cell->has_cell_state() ? c : Tensor()};
        auto f = [&] {
            const RecurrentState next = cell->step(x, s);
            return next.c.defined() ? concat({next.h, next.c}, 1) : next.h;
        };
        check_every_parameter_learns(*cell, [&] { return probe(f()); });
        std::vector<Tensor> inputs = tensors_of(*cell);
        inputs.push_back(x);
        inputs.push_back(h);
        if (cell->has_cell_state()) inputs.push_back(c);
        check_grads(f, inputs);
    }
}

TEST_CASE("Recurrent: final state at each sequence's own last step; reverse direction reads it backwards") {
    Rng rng(10);
    Recurrent net(3, 4, rng, {CellType::lstm, 1, true, 0});
    const Tensor x = param({2, 5, 3}, 11);
    const std::vector<int> lengths{5, 2};
    const Recurrent::Output out = net.forward(x, lengths, rng);
    CHECK(out.outputs.shape() == Shape{2, 5, 8});
    CHECK(out.final_states.size() == 2);

    // Run the cells by hand on sequence 1 (length 2).
    const RecurrentCell& fwd = *net.cells[0];
    const RecurrentCell& bwd = *net.cells[1];
    auto token = [&](std::size_t t) { return reshape(slice(slice(x, 0, 1, 2), 1, t, t + 1), {1, 3}); };
    RecurrentState s = fwd.zero_state(1);
    s = fwd.step(token(0), s);
    const RecurrentState after_first = s;
    s = fwd.step(token(1), s);
    check_values(slice(out.final_states[0].h, 0, 1, 2), s.h.values(), 1e-12);
    check_values(slice(out.final_states[0].c, 0, 1, 2), s.c.values(), 1e-12);
    check_values(reshape(slice(slice(out.outputs, 0, 1, 2), 1, 0, 1), {1, 8}),
                 concat({after_first.h, bwd.step(token(0), bwd.step(token(1), bwd.zero_state(1))).h}, 1).values(), 1e-12);
    RecurrentState r = bwd.zero_state(1);
    r = bwd.step(token(1), r);
    r = bwd.step(token(0), r);
    check_values(slice(out.final_states[1].h, 0, 1, 2), r.h.values(), 1e-12);
    // padded positions are zero in both directions
    for (std::size_t t = 2; t < 5; ++t) {
        for (real v : slice(slice(out.outputs, 0, 1, 2), 1, t, t + 1).values()) CHECK(v == 0);
    }
}

TEST_CASE("Recurrent: appending padding changes no unpadded output or gradient") {
    for (CellType type : {CellType::rnn, CellType::gru, CellType::lstm}) {
        CAPTURE(int(type));
        Rng rng(12);
        Recurrent net(3, 4, rng, {type, 2, true, 0});
        const Tensor short_x = param({2, 4, 3}, 13);
        const Tensor padding = param({2, 3, 3}, 14);  // garbage at padded positions must not matter
        const Tensor long_x = concat({short_x, padding}, 1).detach().set_requires_grad();
        const std::vector<int> lengths{4, 3};

        auto run = [&](const Tensor& x, std::vector<real>& grads_out) {
            net.zero_grad();
            Tape tape;
            Tensor real_part;
            {
                Recording on(tape);
                const Recurrent::Output out = net.forward(x, lengths, rng);
                real_part = slice(out.outputs, 1, 0, 4);  // (B, 4, 8)
                Tensor loss = probe(real_part);
                for (const RecurrentState& f : out.final_states) loss = loss + probe(f.h, 5) + (f.c.defined() ? probe(f.c, 6) : Tensor::scalar(0));
                tape.backward(loss);
            }
            grads_out.clear();
            for (const NamedParameter& p : net.parameters()) {
                for (real g : p.tensor->grad().values()) grads_out.push_back(g);
            }
            return real_part.values();
        };
        std::vector<real> short_grads, long_grads;
        const std::vector<real> a = run(short_x, short_grads);
        const std::vector<real> b = run(long_x, long_grads);
        REQUIRE(a.size() == b.size());
        for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(1e-13));
        REQUIRE(short_grads.size() == long_grads.size());
        for (std::size_t i = 0; i < short_grads.size(); ++i) CHECK(short_grads[i] == doctest::Approx(long_grads[i]).epsilon(1e-12));
        // and no gradient reaches the padded inputs
        for (real g : slice(long_x.grad(), 1, 4, 7).values()) CHECK(g == 0);
    }
}

TEST_CASE("Recurrent: empty sequences, parameter count, every parameter learns, gradient check") {
    Rng rng(15);
    Recurrent net(2, 3, rng, {CellType::gru, 2, true, 0});
    CHECK(net.parameter_count() == 2 * 3 * (2 * 3 + 3 * 3 + 3 + 3) + 2 * 3 * (6 * 3 + 3 * 3 + 3 + 3));
    CHECK(net.parameters()[0].name == "l0.W_i");
    CHECK(net.parameters()[4].name == "l0_reverse.W_i");
    const Tensor x = param({3, 3, 2}, 16);
    const std::vector<int> lengths{3, 0, 2};
    const Recurrent::Output out = net.forward(x, lengths, rng);
    for (real v : slice(out.outputs, 0, 1, 2).values()) CHECK(v == 0);  // empty: all zero
    for (real v : slice(out.final_states.back().h, 0, 1, 2).values()) CHECK(v == 0);  // stays at h0

    auto f = [&] {
        const Recurrent::Output o = net.forward(x, lengths, rng);
        return concat({reshape(o.outputs, {3, 18}), o.final_states[2].h, o.final_states[3].h}, 1);
    };
    check_every_parameter_learns(net, [&] { return probe(f()); });
    std::vector<Tensor> inputs = tensors_of(net);
    inputs.push_back(x);
    check_grads(f, inputs);

    CHECK_THROWS_WITH_AS(net.forward(x, {3, 4, 1}, rng), "Recurrent: length 4 is outside [0, 3]", std::invalid_argument);
    CHECK_THROWS_WITH_AS(net.forward(x, {3, 1}, rng), "Recurrent: 2 lengths for a batch of 3", std::invalid_argument);
    CHECK_THROWS_WITH_AS(net.forward(Tensor::zeros({3, 3, 5}), lengths, rng),
                         "RecurrentCell: input's last axis must be 2, got shape (3, 3, 5)", std::invalid_argument);
}

namespace {

/// Values of `out` and the gradients of `inputs` under the loss sum(out * weights), on a new tape.
std::vector<std::vector<real>> run_and_differentiate(const std::function<Tensor()>& f, std::vector<Tensor> inputs,
                                                     const Tensor& weights) {
    for (Tensor& t : inputs) t.zero_grad();
    Tape tape;
    std::vector<std::vector<real>> result;
    {
        Recording on(tape);
        const Tensor out = f();
        result.push_back(out.values());
        tape.backward(sum(out * weights));
    }
    for (const Tensor& t : inputs) result.push_back(t.grad().values());
    return result;
}

/// Same values to 1e-12 relative (double precision): the fused loops may round differently from
/// the composed ops only where the compiler contracts a multiply and an add into one FMA.
void check_same(const std::vector<std::vector<real>>& fused, const std::vector<std::vector<real>>& plain) {
    REQUIRE(fused.size() == plain.size());
    for (std::size_t q = 0; q < fused.size(); ++q) {
        CAPTURE(q);
        REQUIRE(fused[q].size() == plain[q].size());
        for (std::size_t e = 0; e < fused[q].size(); ++e) {
            CHECK(fused[q][e] == doctest::Approx(plain[q][e]).epsilon(1e-12).scale(1e-3));
        }
    }
}

}  // namespace

TEST_CASE("fused GRU and LSTM ops: the same values and gradients as the composed equations") {
    for (const auto& sizes : std::vector<std::pair<std::size_t, std::size_t>>{{64, 128}, {3, 7}}) {
        const std::size_t B = sizes.first, H = sizes.second;  // not a structured binding: CAPTURE is a lambda
        CAPTURE(B);
        CAPTURE(H);
        Rng rng(B + H);
        const Tensor xw = uniform({B, 4 * H}, -3, 3, rng).set_requires_grad();
        const Tensor hw = uniform({B, 3 * H}, -3, 3, rng).set_requires_grad();
        const Tensor h = uniform({B, H}, -1, 1, rng).set_requires_grad();
        const Tensor weights = uniform({B, H}, -2, 2, rng);
        const Tensor xw3 = slice(xw, 1, 0, 3 * H).detach().set_requires_grad();

        const auto fused = run_and_differentiate([&] { return gru_state(xw3, hw, h); }, {xw3, hw, h}, weights);
        const auto plain = run_and_differentiate([&] { return composed_gru_state(xw3, hw, h); }, {xw3, hw, h}, weights);
        check_same(fused, plain);

        // LSTM: h_t and c_t both feed the loss, as in a sequence.
        auto lstm_fused = [&] {
            const Tensor c = lstm_cell_state(xw, h);
            return lstm_hidden(xw, c) + c * 0.5;
        };
        auto lstm_plain = [&] {
            const auto [h_t, c] = composed_lstm_step(xw, h);
            return h_t + c * 0.5;
        };
        check_same(run_and_differentiate(lstm_fused, {xw, h}, weights), run_and_differentiate(lstm_plain, {xw, h}, weights));
    }
}

TEST_CASE("fused cell ops: gradient checks, and shape errors name the op and the shapes") {
    const Tensor gates = param({2, 12}, 21), h = param({2, 3}, 22), c = param({2, 3}, 23);
    const Tensor xw = param({2, 9}, 24), hw = param({2, 9}, 25);
    check_grads([&] { return gru_state(xw, hw, h); }, {xw, hw, h});
    check_grads([&] { return lstm_cell_state(gates, c); }, {gates, c});
    check_grads([&] { return lstm_hidden(gates, c); }, {gates, c});
    CHECK_THROWS_WITH(gru_state(xw, gates, h), doctest::Contains("gru_state: needs gates (B, 3H) and a state (B, H), got (2, 9) and (2, 12) and (2, 3)"));
    CHECK_THROWS_WITH(lstm_cell_state(xw, c),
                      doctest::Contains("lstm_cell_state: needs gates (B, 4H) and a state (B, H), got (2, 9) and (2, 3)"));
    CHECK_THROWS_WITH(lstm_hidden(gates, param({3, 3}, 26)),
                      doctest::Contains("lstm_hidden: needs gates (B, 4H) and a state (B, H), got (2, 12) and (3, 3)"));
    CHECK_THROWS_WITH(gru_state(xw, hw, param({2, 3, 1}, 27)), doctest::Contains("gru_state: needs gates (B, 3H)"));
}
