// The fused kernels' readable twins (see attn/nn/composed.hpp).
#include "attn/nn/composed.hpp"

namespace attn {

Tensor composed_gru_state(const Tensor& xw, const Tensor& hw, const Tensor& h) {
    const std::size_t H = h.shape(1);
    const Tensor rz = sigmoid(slice(xw, 1, 0, 2 * H) + slice(hw, 1, 0, 2 * H));  // (B, 2H): r and z together
    const Tensor r = slice(rz, 1, 0, H), z = slice(rz, 1, H, 2 * H);             // (B, H) each
    const Tensor n = tanh(slice(xw, 1, 2 * H, 3 * H) + r * slice(hw, 1, 2 * H, 3 * H));
    return n + z * (h - n);  // (1 - z) * n + z * h
}

std::pair<Tensor, Tensor> composed_lstm_step(const Tensor& gates, const Tensor& c) {
    const std::size_t H = c.shape(1);
    const Tensor i = sigmoid(slice(gates, 1, 0, H)), f = sigmoid(slice(gates, 1, H, 2 * H));
    const Tensor g = tanh(slice(gates, 1, 2 * H, 3 * H)), o = sigmoid(slice(gates, 1, 3 * H, 4 * H));
    const Tensor c_new = f * c + i * g;  // (B, H)
    return {o * tanh(c_new), c_new};
}

Tensor composed_layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, real eps) {
    const Tensor centred = x - mean(x, -1, true);                                  // (..., D)
    return centred / sqrt(mean(centred * centred, -1, true) + eps) * gamma + beta;  // (..., D)
}

}  // namespace attn
