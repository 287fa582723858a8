// Recurrent cells and the sequence runner (see attn/nn/recurrent.hpp for the equations).
#include "attn/nn/recurrent.hpp"

#include <algorithm>
#include <cmath>

namespace attn {

// ---- cells ---------------------------------------------------------------------------------------

RecurrentCell::RecurrentCell(std::size_t input, std::size_t hidden, std::size_t gates, Rng& rng)
    : input_size(input), hidden_size(hidden) {
    const real k = real(1 / std::sqrt(double(hidden)));
    W_i = uniform({input, gates * hidden}, -k, k, rng).set_requires_grad();
    W_h = uniform({hidden, gates * hidden}, -k, k, rng).set_requires_grad();
    b_i = uniform({gates * hidden}, -k, k, rng).set_requires_grad();
    b_h = uniform({gates * hidden}, -k, k, rng).set_requires_grad();
}

Tensor RecurrentCell::project_input(const Tensor& x) const {
    const Shape shape = x.shape();
    if (shape.empty() || shape.back() != input_size) {
        fail("RecurrentCell", "input's last axis must be " + std::to_string(input_size) + ", got shape " +
                                  to_string(shape));
    }
    const std::size_t rows = element_count(shape) / input_size;
    const Tensor xw = matmul(reshape(x, {rows, input_size}), W_i) + b_i;  // (N, G*H)
    Shape out = shape;
    out.back() = W_i.shape(1);
    return reshape(xw, out);
}

RecurrentState RecurrentCell::step(const Tensor& x, const RecurrentState& state) const {
    return step_projected(project_input(x), state);
}

RecurrentState RecurrentCell::zero_state(std::size_t batch) const {
    RecurrentState s{Tensor::zeros({batch, hidden_size}), {}};
    if (has_cell_state()) s.c = Tensor::zeros({batch, hidden_size});
    return s;
}

void RecurrentCell::list(Lister& out) {
    out.parameter("W_i", W_i);
    out.parameter("W_h", W_h);
    out.parameter("b_i", b_i);
    out.parameter("b_h", b_h);
}

RnnCell::RnnCell(std::size_t input, std::size_t hidden, Rng& rng) : RecurrentCell(input, hidden, 1, rng) {}

RecurrentState RnnCell::step_projected(const Tensor& xw, const RecurrentState& state) const {
    return {tanh(xw + matmul(state.h, W_h) + b_h), {}};  // (B, H)
}

GruCell::GruCell(std::size_t input, std::size_t hidden, Rng& rng) : RecurrentCell(input, hidden, 3, rng) {}

RecurrentState GruCell::step_projected(const Tensor& xw, const RecurrentState& state) const {
    const Tensor hw = matmul(state.h, W_h) + b_h;  // (B, 3H): r | z | n parts
    return {gru_state(xw, hw, state.h), {}};       // (B, H), the equations above in one op
}

LstmCell::LstmCell(std::size_t input, std::size_t hidden, Rng& rng) : RecurrentCell(input, hidden, 4, rng) {}

RecurrentState LstmCell::step_projected(const Tensor& xw, const RecurrentState& state) const {
    const Tensor gates = xw + matmul(state.h, W_h) + b_h;  // (B, 4H): i | f | g | o
    const Tensor c = lstm_cell_state(gates, state.c);     // (B, H): f * c_{t-1} + i * g
    return {lstm_hidden(gates, c), c};                     // (B, H): o * tanh(c_t)
}

std::unique_ptr<RecurrentCell> make_cell(CellType type, std::size_t input, std::size_t hidden, Rng& rng) {
    switch (type) {
        case CellType::rnn: return std::make_unique<RnnCell>(input, hidden, rng);
        case CellType::gru: return std::make_unique<GruCell>(input, hidden, rng);
        case CellType::lstm: return std::make_unique<LstmCell>(input, hidden, rng);
    }
    fail("make_cell", "unknown cell type");
}

// ---- the runner ----------------------------------------------------------------------------------

Recurrent::Recurrent(std::size_t input, std::size_t hidden, Rng& rng, RecurrentOptions options_)
    : options(options_), hidden_size(hidden) {
    if (options.layers == 0) fail("Recurrent", "needs at least one layer");
    if (!(options.dropout >= 0 && options.dropout < 1)) {
        fail("Recurrent", "dropout must be in [0, 1), got " + std::to_string(options.dropout));
    }
    for (std::size_t layer = 0; layer < options.layers; ++layer) {
        const std::size_t in = layer == 0 ? input : hidden * directions();
        for (std::size_t dir = 0; dir < directions(); ++dir) cells.push_back(make_cell(options.cell, in, hidden, rng));
    }
}

void Recurrent::list(Lister& out) {
    for (std::size_t layer = 0; layer < options.layers; ++layer) {
        for (std::size_t dir = 0; dir < directions(); ++dir) {
            out.child("l" + std::to_string(layer) + (dir == 1 ? "_reverse" : ""), *cells[layer * directions() + dir]);
        }
    }
}

namespace {

/// Runs one cell over the sequence in one direction. xw (B, S, G*H) is the projected input;
/// real_at[t] (B, 1) is 1 where position t is inside the sequence, or undefined when position t is
/// inside every sequence. Returns outputs (B, S, H) and the state after the last real step.
std::pair<Tensor, RecurrentState> run_direction(const RecurrentCell& cell, const Tensor& xw,
                                                const std::vector<Tensor>& real_at, bool reverse,
                                                RecurrentState state) {
    const std::size_t B = xw.shape(0), S = xw.shape(1), GH = xw.shape(2);
    std::vector<Tensor> outputs(S);
    for (std::size_t k = 0; k < S; ++k) {
        const std::size_t t = reverse ? S - 1 - k : k;
        const Tensor xw_t = reshape(slice(xw, 1, t, t + 1), {B, GH});  // (B, G*H)
        const RecurrentState next = cell.step_projected(xw_t, state);
        if (!real_at[t].defined()) {  // every sequence is still running at t: nothing to mask
            state = next;
            outputs[t] = next.h;
            continue;
        }
        // At a padded position keep the old state: the final state is the last real step's, and
        // a reverse pass starts each sequence at its own last real token.
        state.h = where(real_at[t], next.h, state.h);
        if (next.c.defined()) state.c = where(real_at[t], next.c, state.c);
        outputs[t] = next.h * real_at[t];  // (B, H), zero at padding
    }
    if (S == 0) return {Tensor::zeros({B, 0, cell.hidden_size}), state};
    return {stack(outputs, 1), state};  // (B, S, H)
}

}  // namespace

Recurrent::Output Recurrent::forward(const Tensor& x, const std::vector<int>& lengths, Rng& rng,
                                     const std::vector<RecurrentState>& initial) const {
    const Shape shape = x.shape();
    if (shape.size() != 3) fail("Recurrent", "input must be (B, S, in), got " + to_string(shape));
    const std::size_t B = shape[0], S = shape[1];
    if (lengths.size() != B) {
        fail("Recurrent", std::to_string(lengths.size()) + " lengths for a batch of " + std::to_string(B));
    }
    for (int length : lengths) {
        if (length < 0 || std::size_t(length) > S) {
            fail("Recurrent", "length " + std::to_string(length) + " is outside [0, " + std::to_string(S) + "]");
        }
    }
    if (!initial.empty() && initial.size() != cells.size()) {
        fail("Recurrent", "needs " + std::to_string(cells.size()) + " initial states (layers x directions), got " +
                              std::to_string(initial.size()));
    }
    // (B, 1) each: 1 inside the sequence, 0 at padding; left undefined where no sequence has ended,
    // so that the runner skips the masking (three passes per state and step) there.
    std::vector<Tensor> real_at(S);
    for (std::size_t t = 0; t < S; ++t) {
        std::vector<real> inside(B);
        for (std::size_t b = 0; b < B; ++b) inside[b] = std::size_t(lengths[b]) > t ? 1 : 0;
        if (std::find(inside.begin(), inside.end(), real(0)) != inside.end()) real_at[t] = Tensor::from({B, 1}, inside);
    }

    Output result;
    result.directions = directions();
    Tensor input = x;  // (B, S, in) for layer 0, then (B, S, dirs*H)
    for (std::size_t layer = 0; layer < options.layers; ++layer) {
        if (layer > 0 && options.dropout > 0) input = dropout(input, options.dropout, rng, training());
        std::vector<Tensor> per_direction;
        for (std::size_t dir = 0; dir < directions(); ++dir) {
            const RecurrentCell& cell = *cells[layer * directions() + dir];
            const RecurrentState start = initial.empty() ? cell.zero_state(B) : initial[layer * directions() + dir];
            auto [outputs, final_state] = run_direction(cell, cell.project_input(input), real_at, dir == 1, start);
            per_direction.push_back(outputs);
            result.final_states.push_back(final_state);
        }
        input = directions() == 1 ? per_direction[0] : concat(per_direction, 2);  // (B, S, dirs*H)
    }
    result.outputs = input;
    return result;
}

const RecurrentState& Recurrent::Output::final_state(std::size_t layer, Direction direction) const {
    const std::size_t dir = direction == Direction::forward ? 0 : 1;
    const std::size_t k = layer * directions + dir;
    if (dir >= directions || k >= final_states.size()) {
        fail("Recurrent::Output::final_state", "there is no layer " + std::to_string(layer) + " in the " +
                                                   (dir == 0 ? "forward" : "backward") + " direction (" +
                                                   std::to_string(final_states.size() / directions) + " layers, " +
                                                   std::to_string(directions) + " direction(s))");
    }
    return final_states[k];
}

}  // namespace attn
