// attn/nn/composed.hpp — the readable twins of the fused kernels.
//
// Three computations run as one fused op each, for speed (attn/ops.hpp: gru_state,
// lstm_cell_state + lstm_hidden, layer_norm): one tape node with a hand-written backward instead of
// ten small ones. Here they are again, written with the engine's ordinary ops exactly as the papers
// write them — the version to read. The tests check that each fused op gives the same values and
// the same gradients as its twin here (tests/test_nn_recurrent.cpp, tests/test_nn_layers.cpp).
// The models run the fused ops; nothing in the chapters calls these.
#pragma once

#include <utility>

#include "attn/ops.hpp"

namespace attn {

/// The GRU's new state from its projected input xw = x W_i + b_i (B, 3H), projected state
/// hw = h W_h + b_h (B, 3H) and state h (B, H), gate order r, z, n (torch.nn.GRU):
///   r = sigma(xw_r + hw_r),  z = sigma(xw_z + hw_z),  n = tanh(xw_n + r * hw_n),  h' = (1 - z) * n + z * h
/// -> h' (B, H). Fused twin: gru_state.
Tensor composed_gru_state(const Tensor& xw, const Tensor& hw, const Tensor& h);

/// The LSTM's step from its gates = x W_i + b_i + h W_h + b_h (B, 4H), gate order i, f, g, o
/// (torch.nn.LSTM), and memory cell c (B, H):
///   c' = sigma(f) * c + sigma(i) * tanh(g),   h' = sigma(o) * tanh(c')
/// -> {h', c'} (B, H) each. Fused twins: lstm_cell_state (c') and lstm_hidden (h').
std::pair<Tensor, Tensor> composed_lstm_step(const Tensor& gates, const Tensor& c);

/// Layer normalisation over the last axis (Ba et al. 2016, as torch.nn.LayerNorm):
///   y = (x - mean(x)) / sqrt(var(x) + eps) * gamma + beta,  var biased
/// x (..., D), gamma and beta (D) -> (..., D). Fused twin: layer_norm.
Tensor composed_layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, real eps);

}  // namespace attn
