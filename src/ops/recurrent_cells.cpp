// The elementwise part of a GRU and an LSTM step, fused into one op each.
//
// Why: composed from slice, sigmoid, tanh, add, sub and mul, one GRU step recorded ten nodes, each
// with its own temporary, and every slice's backward built a zero-filled full-width gradient. At the
// benchmark's sizes that was most of a recurrent model's time outside the matrix products.
//
// The plain versions stay in tests/test_nn_recurrent.cpp: the fused ops give the same values and
// gradients to 1e-12 in double precision (they round differently only where the compiler contracts
// a multiply and an add into one FMA), and their gradients are checked by finite differences.
#include "attn/ops.hpp"
#include "attn/record.hpp"
#include "logistic.hpp"

namespace attn {

namespace {

/// Checks state (B, H) and gates (B, G*H); returns H.
std::size_t check_cell_shapes(const char* op, const Shape& state, std::initializer_list<Shape> gates,
                              std::size_t G) {
    bool ok = state.size() == 2;
    for (const Shape& g : gates) ok = ok && g == Shape{state[0], G * state[1]};
    if (!ok) {
        std::string got;
        for (const Shape& g : gates) got += to_string(g) + " and ";
        fail(op, "needs gates (B, " + std::to_string(G) + "H) and a state (B, H), got " + got + to_string(state));
    }
    return state[1];
}

/// Columns [begin, begin + width) of a (B, stride) array, as a contiguous (B, width) array.
Array columns(const Array& a, std::size_t begin, std::size_t width) {
    const std::size_t B = a.shape(0), stride = a.shape(1);
    Array out = xt::empty<real>(Shape{B, width});
    for (std::size_t b = 0; b < B; ++b) {
        std::copy_n(a.data() + b * stride + begin, width, out.data() + b * width);
    }
    return out;
}

}  // namespace

// GRU, given xw = x_t W_i + b_i and hw = h_{t-1} W_h + b_h (blocks r | z | n):
//   r = sigma(xw_r + hw_r),   z = sigma(xw_z + hw_z),   n = tanh(xw_n + r * hw_n)
//   h_t = n + z * (h_{t-1} - n)                         (= (1 - z) n + z h_{t-1})
// Backward, from dh_t:
//   dz = dh_t (h_{t-1} - n),   dn = dh_t - dh_t z,   da_n = dn (1 - n^2)
//   da_r = (da_n hw_n) r (1 - r),   da_z = dz z (1 - z)
//   dxw = [da_r | da_z | da_n],   dhw = [da_r | da_z | da_n r],   dh_{t-1} = dh_t z
// xw (B, 3H), hw (B, 3H), h (B, H) -> h_t (B, H)
Tensor gru_state(const Tensor& xw, const Tensor& hw, const Tensor& h) {
    check_cell_shapes("gru_state", h.shape(), {xw.shape(), hw.shape()}, 3);
    // EXERCISE ch1.gru_step (4 points): one GRU step (forward and backward) from the gates' inputs
    const std::size_t B = h.shape(0), H = h.shape(1);
    const real* x = value(xw).data();
    const real* w = value(hw).data();
    const real* h_prev = value(h).data();
    Array a_rz = xt::empty<real>(Shape{B, 2 * H}), a_n = xt::empty<real>(Shape{B, H});  // pre-activations
    for (std::size_t b = 0; b < B; ++b) {
        for (std::size_t j = 0; j < 2 * H; ++j) a_rz.data()[b * 2 * H + j] = x[b * 3 * H + j] + w[b * 3 * H + j];
    }
    Array rz = logistic(a_rz);  // (B, 2H): r | z
    for (std::size_t b = 0; b < B; ++b) {
        for (std::size_t j = 0; j < H; ++j) {
            a_n.data()[b * H + j] = x[b * 3 * H + 2 * H + j] + rz.data()[b * 2 * H + j] * w[b * 3 * H + 2 * H + j];
        }
    }
    Array n = xt::tanh(a_n);  // (B, H)
    Array h_t = xt::empty<real>(Shape{B, H});
    for (std::size_t b = 0; b < B; ++b) {
        for (std::size_t j = 0; j < H; ++j) {
            const std::size_t k = b * H + j;
            h_t.data()[k] = n.data()[k] + rz.data()[b * 2 * H + H + j] * (h_prev[k] - n.data()[k]);
        }
    }
    return record("gru_state", std::move(h_t), {xw, hw, h},
                  [B, H, rz = std::move(rz), n = std::move(n)](const Backward& g) -> Grads {
        const real* dh_t = g.dout.data();
        const real* w = g.in(1).data();
        const real* h_prev = g.in(2).data();
        Array dxw = xt::empty<real>(Shape{B, 3 * H}), dhw = xt::empty<real>(Shape{B, 3 * H});
        Array dh = xt::empty<real>(Shape{B, H});
        for (std::size_t b = 0; b < B; ++b) {
            real* dx = dxw.data() + b * 3 * H;
            real* dw = dhw.data() + b * 3 * H;
            for (std::size_t j = 0; j < H; ++j) {
                const std::size_t k = b * H + j;
                const real r = rz.data()[b * 2 * H + j], z = rz.data()[b * 2 * H + H + j], n_k = n.data()[k];
                const real dz = dh_t[k] * (h_prev[k] - n_k);
                const real dh_z = dh_t[k] * z;  // through z * h_{t-1}, and minus through z * n
                const real da_n = (dh_t[k] - dh_z) * (real(1) - n_k * n_k);
                const real dr = da_n * w[b * 3 * H + 2 * H + j];
                dx[j] = dw[j] = dr * r * (real(1) - r);
                dx[H + j] = dw[H + j] = dz * z * (real(1) - z);
                dx[2 * H + j] = da_n;
                dw[2 * H + j] = da_n * r;
                dh.data()[k] = dh_z;
            }
        }
        return {std::move(dxw), std::move(dhw), std::move(dh)};
    });
    // END EXERCISE ch1.gru_step
}

// LSTM memory cell, given the pre-activations a = x_t W_i + b_i + h_{t-1} W_h + b_h (blocks i | f | g | o):
//   i = sigma(a_i),  f = sigma(a_f),  g = tanh(a_g),   c_t = f * c_{t-1} + i * g
// Backward, from dc_t:
//   da_i = (dc_t g) i (1 - i),  da_f = (dc_t c_{t-1}) f (1 - f),  da_g = (dc_t i) (1 - g^2),  da_o = 0,
//   dc_{t-1} = dc_t f
// gates (B, 4H), c (B, H) -> c_t (B, H)
Tensor lstm_cell_state(const Tensor& gates, const Tensor& c) {
    const std::size_t H = check_cell_shapes("lstm_cell_state", c.shape(), {gates.shape()}, 4);
    const std::size_t B = c.shape(0);
    Array i_f = logistic(columns(value(gates), 0, 2 * H));  // (B, 2H): i | f
    Array g_t = xt::tanh(columns(value(gates), 2 * H, H));  // (B, H)
    const real* c_prev = value(c).data();
    Array c_t = xt::empty<real>(Shape{B, H});
    for (std::size_t b = 0; b < B; ++b) {
        for (std::size_t j = 0; j < H; ++j) {
            const std::size_t k = b * H + j;
            c_t.data()[k] = i_f.data()[b * 2 * H + H + j] * c_prev[k] + i_f.data()[b * 2 * H + j] * g_t.data()[k];
        }
    }
    return record("lstm_cell_state", std::move(c_t), {gates, c},
                  [B, H, i_f = std::move(i_f), g_t = std::move(g_t)](const Backward& bw) -> Grads {
        const real* dc_t = bw.dout.data();
        const real* c_prev = bw.in(1).data();
        Array da = xt::empty<real>(Shape{B, 4 * H}), dc = xt::empty<real>(Shape{B, H});
        for (std::size_t b = 0; b < B; ++b) {
            real* d = da.data() + b * 4 * H;
            for (std::size_t j = 0; j < H; ++j) {
                const std::size_t k = b * H + j;
                const real i = i_f.data()[b * 2 * H + j], f = i_f.data()[b * 2 * H + H + j], g = g_t.data()[k];
                d[j] = dc_t[k] * g * i * (real(1) - i);
                d[H + j] = dc_t[k] * c_prev[k] * f * (real(1) - f);
                d[2 * H + j] = dc_t[k] * i * (real(1) - g * g);
                d[3 * H + j] = 0;
                dc.data()[k] = dc_t[k] * f;
            }
        }
        return {std::move(da), std::move(dc)};
    });
}

// LSTM output, from the same pre-activations and the new memory cell c_t:
//   o = sigma(a_o),   h_t = o * tanh(c_t)
// Backward, from dh_t:   da_o = (dh_t tanh(c_t)) o (1 - o),  other gates 0,   dc_t = (dh_t o) (1 - tanh(c_t)^2)
// gates (B, 4H), c_t (B, H) -> h_t (B, H)
Tensor lstm_hidden(const Tensor& gates, const Tensor& c_t) {
    const std::size_t H = check_cell_shapes("lstm_hidden", c_t.shape(), {gates.shape()}, 4);
    const std::size_t B = c_t.shape(0);
    Array o = logistic(columns(value(gates), 3 * H, H));  // (B, H)
    Array tanh_c = xt::tanh(value(c_t));                 // (B, H)
    Array h_t = o * tanh_c;
    return record("lstm_hidden", std::move(h_t), {gates, c_t},
                  [B, H, o = std::move(o), tanh_c = std::move(tanh_c)](const Backward& bw) -> Grads {
        const real* dh_t = bw.dout.data();
        Array da = xt::zeros<real>(Shape{B, 4 * H}), dc = xt::empty<real>(Shape{B, H});
        for (std::size_t b = 0; b < B; ++b) {
            for (std::size_t j = 0; j < H; ++j) {
                const std::size_t k = b * H + j;
                const real o_k = o.data()[k], tanh_k = tanh_c.data()[k];
                da.data()[b * 4 * H + 3 * H + j] = dh_t[k] * tanh_k * o_k * (real(1) - o_k);
                dc.data()[k] = dh_t[k] * o_k * (real(1) - tanh_k * tanh_k);
            }
        }
        return {std::move(da), std::move(dc)};
    });
}

}  // namespace attn
