// attn/nn/recurrent.hpp — recurrent cells from their equations, and a runner over sequences.
//
// Each cell is one time step, written as the paper (and torch.nn) writes it. Gates are computed
// with one matrix product for the input and one for the state: W_i (in, G*H), W_h (H, G*H), with
// G = 1 (Elman), 3 (GRU: r, z, n) or 4 (LSTM: i, f, g, o), gate order as in PyTorch.
// Init (torch.nn.RNN/GRU/LSTM): every weight and bias uniform in +-1/sqrt(H).
// What runs: the GRU's and LSTM's elementwise part (gates, candidate, new state) is one fused op
// per step (gru_state, lstm_cell_state, lstm_hidden in attn/ops.hpp). To read: the same equations
// composed from ordinary ops, in attn/nn/composed.hpp, which the tests hold the fused ops equal to.
//
// The runner (Recurrent) handles batches of sequences of different lengths: at a padded position
// the state is carried over unchanged and the output is zero, so the final state of each sequence
// is the state at its own last real step, and appending padding changes nothing (tested).
#pragma once

#include <memory>
#include <vector>

#include "attn/nn/module.hpp"
#include "attn/ops.hpp"
#include "attn/random.hpp"

namespace attn {

/// h (B, H); c (B, H) for an LSTM, empty otherwise.
struct RecurrentState {
    Tensor h;
    Tensor c;
};

class RecurrentCell : public Module {
public:
    RecurrentCell(std::size_t input, std::size_t hidden, std::size_t gates, Rng& rng);

    /// One step: x (B, in), state (B, H) -> new state (B, H).
    RecurrentState step(const Tensor& x, const RecurrentState& state) const;
    /// The input half of the gates, x W_i + b_i: (..., in) -> (..., G*H). A runner computes it for a
    /// whole sequence with one matrix product, then calls step_projected per time step.
    Tensor project_input(const Tensor& x) const;
    /// One step from the projected input xw (B, G*H).
    virtual RecurrentState step_projected(const Tensor& xw, const RecurrentState& state) const = 0;
    /// The zero state for a batch.
    RecurrentState zero_state(std::size_t batch) const;
    virtual bool has_cell_state() const { return false; }

    std::size_t input_size, hidden_size;
    Tensor W_i, W_h, b_i, b_h;  // (in, G*H), (H, G*H), (G*H), (G*H)

protected:
    void list(Lister& out) override;
};

/// Elman RNN:  h_t = tanh(x_t W_i + b_i + h_{t-1} W_h + b_h)
class RnnCell : public RecurrentCell {
public:
    RnnCell(std::size_t input, std::size_t hidden, Rng& rng);
    RecurrentState step_projected(const Tensor& xw, const RecurrentState& state) const override;
};

/// GRU (Cho et al. 2014, as torch.nn.GRU):
///   r_t = sigma(x W_ir + b_ir + h_{t-1} W_hr + b_hr)          reset gate
///   z_t = sigma(x W_iz + b_iz + h_{t-1} W_hz + b_hz)          update gate
///   n_t = tanh(x W_in + b_in + r_t * (h_{t-1} W_hn + b_hn))   candidate
///   h_t = (1 - z_t) * n_t + z_t * h_{t-1}
class GruCell : public RecurrentCell {
public:
    GruCell(std::size_t input, std::size_t hidden, Rng& rng);
    RecurrentState step_projected(const Tensor& xw, const RecurrentState& state) const override;
};

/// LSTM (Hochreiter & Schmidhuber 1997, with forget gate; as torch.nn.LSTM):
///   i, f, g, o = sigma(.), sigma(.), tanh(.), sigma(.) of  x W_i + b_i + h_{t-1} W_h + b_h
///   c_t = f * c_{t-1} + i * g
///   h_t = o * tanh(c_t)
class LstmCell : public RecurrentCell {
public:
    LstmCell(std::size_t input, std::size_t hidden, Rng& rng);
    RecurrentState step_projected(const Tensor& xw, const RecurrentState& state) const override;
    bool has_cell_state() const override { return true; }
};

enum class CellType { rnn, gru, lstm };
std::unique_ptr<RecurrentCell> make_cell(CellType type, std::size_t input, std::size_t hidden, Rng& rng);

enum class Direction { forward, backward };

struct RecurrentOptions {
    CellType cell = CellType::gru;
    std::size_t layers = 1;
    bool bidirectional = false;
    real dropout = 0;  // between layers (not after the last), as torch.nn.GRU
};

/// A (multi-layer, optionally bidirectional) recurrent network over padded batches.
class Recurrent : public Module {
public:
    Recurrent(std::size_t input, std::size_t hidden, Rng& rng, RecurrentOptions options = {});

    struct Output {
        Tensor outputs;                            // (B, S, dirs*H): [forward; backward] per position, 0 at padding
        std::vector<RecurrentState> final_states;  // every layer's and direction's, in the order of `cells`
        std::size_t directions = 1;
        /// The state of `layer` (0 = the bottom) in `direction` after each sequence's last real step
        /// (for the backward direction: after reading the sequence back to its first token).
        const RecurrentState& final_state(std::size_t layer, Direction direction = Direction::forward) const;
    };
    /// x (B, S, in), lengths (B) with 0 <= length <= S. `initial` (optional): one state per layer
    /// and direction, in the order of Output::final_states. `rng` draws the between-layer dropout masks.
    Output forward(const Tensor& x, const std::vector<int>& lengths, Rng& rng,
                   const std::vector<RecurrentState>& initial = {}) const;

    std::size_t directions() const { return options.bidirectional ? 2 : 1; }

    RecurrentOptions options;
    std::size_t hidden_size;
    std::vector<std::unique_ptr<RecurrentCell>> cells;  // layer by layer; within a layer forward, then backward

protected:
    void list(Lister& out) override;
};

}  // namespace attn
