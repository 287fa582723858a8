// attn/ops.hpp — the differentiable primitives.
//
// Each op computes its value now and, inside a Recording scope, records how to send gradients
// back. Shapes use the glossary of the README: B batch, S source length, T target length,
// D width, H heads, V vocabulary, N rows, C classes. Every op checks its arguments at entry and
// throws std::invalid_argument naming itself and the shapes involved.
//
// Everything else in attn (linear layers, recurrent cells, attention, layer norm) is composed from
// these, so autograd handles its gradient.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attn/tensor.hpp"

namespace attn {

class Rng;

// ---------------------------------------------------------------------------------------------
// Elementwise arithmetic, numpy broadcasting: shapes are aligned from the right and an axis of
// extent 1 stretches to match. The engine sums each gradient back over the stretched axes.

/// y = a + b          da = dy            db = dy
Tensor add(const Tensor& a, const Tensor& b);
/// y = a - b          da = dy            db = -dy
Tensor sub(const Tensor& a, const Tensor& b);
/// y = a * b          da = dy * b        db = dy * a
Tensor mul(const Tensor& a, const Tensor& b);
/// y = a / b          da = dy / b        db = -dy * a / b^2 = -dy * y / b
Tensor div(const Tensor& a, const Tensor& b);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& x);
// A plain number acts as a scalar constant, broadcast to the tensor's shape.
Tensor operator+(const Tensor& a, real b);
Tensor operator+(real a, const Tensor& b);
Tensor operator-(const Tensor& a, real b);
Tensor operator-(real a, const Tensor& b);
Tensor operator*(const Tensor& a, real b);
Tensor operator*(real a, const Tensor& b);
Tensor operator/(const Tensor& a, real b);
Tensor operator/(real a, const Tensor& b);

// ---------------------------------------------------------------------------------------------
// Elementwise functions: shape in = shape out.

/// y = -x             dx = -dy
Tensor neg(const Tensor& x);
/// y = e^x            dx = dy * y
Tensor exp(const Tensor& x);
/// y = ln x           dx = dy / x              (x <= 0 gives -inf/NaN, as in C)
Tensor log(const Tensor& x);
/// y = sqrt(x)        dx = dy / (2 y)
Tensor sqrt(const Tensor& x);
/// y = x^p            dx = dy * p * x^(p-1)    (p a constant)
Tensor pow(const Tensor& x, real p);
/// y = tanh x         dx = dy * (1 - y^2)
Tensor tanh(const Tensor& x);
/// y = 1/(1+e^-x)     dx = dy * y * (1 - y)    (exact limits 0 and 1 for large |x|, never NaN)
Tensor sigmoid(const Tensor& x);
/// y = max(x, 0)      dx = dy * [x > 0]        (gradient 0 at x = 0, as PyTorch)
Tensor relu(const Tensor& x);
/// y = x Phi(x)       dx = dy * (Phi(x) + x phi(x))   Phi, phi: the standard normal CDF and density
///                    (GELU, Hendrycks & Gimpel 2016: BERT's feed-forward activation; exact erf form)
Tensor gelu(const Tensor& x);

// ---------------------------------------------------------------------------------------------
// Matrix products, through BLAS. Transposes are flags handed to BLAS, never copies.

enum class Trans { no, yes };

/// C = op(A) op(B), op(X) = X or X^T.   A (M, K) [or (K, M) with Trans::yes], B (K, N) [or (N, K)]
/// -> C (M, N).   dA = dC op(B)^T (transposed back if A was),  dB = op(A)^T dC (likewise).
/// A may also have more axes, untransposed: A (..., K) B (K, N) -> C (..., N), its leading axes
/// taken as rows of one product (what a layer does to every position of a batch, with no copy).
Tensor matmul(const Tensor& a, const Tensor& b, Trans ta = Trans::no, Trans tb = Trans::no);
/// Threads BLAS may use for one product. Tutorial-sized products run fastest on one (threads cost
/// more than they save below a few hundred rows), and the executables default to 1.
void set_blas_threads(int threads);
/// Which of OpenBLAS's kernels runs ("Haswell", "Cooperlake", ...: openblas_get_corename, chosen
/// from the processor unless OPENBLAS_CORETYPE pins it) and how many threads it may use.
std::string blas_kernel();
int blas_threads();

/// Batched: C[i] = op(A[i]) op(B[i]) for each i of the leading axis.
/// A (B, M, K), B (B, K, N) -> C (B, M, N); the same flags as matmul, per batch element.
/// More batch axes work the same way when A and B share them: (B, H, M, K) x (B, H, K, N).
Tensor bmm(const Tensor& a, const Tensor& b, Trans ta = Trans::no, Trans tb = Trans::no);

/// y = x W + b, the affine map of a layer, in one op.   x (..., K), W (K, N), b (N) -> y (..., N)
///   dx = dy W^T,  dW = x^T dy (x's leading axes as rows),  db = sum of dy over the rows.
/// Equal bit for bit to matmul(x, W) + b, without the second (..., N) array and its gradient's copy.
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b);

/// Multi-head attention's two products, on each head's own columns: head h of a (B, T, D) array
/// is Q_bh = q[b, :, h d : (h + 1) d], d = D / H. Equal bit for bit to the composed forms with
/// split_heads and merge_heads (attn/nn/multi_head.hpp), without their copies.
/// S[b, h] = Q_bh K_bh^T.   q (B, Tq, D), k (B, Tk, D) -> S (B, H, Tq, Tk)
///   dQ_bh = dS[b, h] K_bh,  dK_bh = dS[b, h]^T Q_bh.     = bmm(split_heads(q), split_heads(k), no, yes)
Tensor head_scores(const Tensor& q, const Tensor& k, std::size_t heads);
/// C_bh = P[b, h] V_bh, the heads side by side.   p (B, H, Tq, Tk), v (B, Tk, D) -> C (B, Tq, D)
///   dP[b, h] = dC_bh V_bh^T,  dV_bh = P[b, h]^T dC_bh.    = merge_heads(bmm(p, split_heads(v)))
Tensor head_context(const Tensor& p, const Tensor& v);

// ---------------------------------------------------------------------------------------------
// Reductions over one axis (negative axes count from the end). keepdims keeps the reduced axis
// with extent 1, which is what you want to broadcast the result back against x.

/// y = sum_k x[..., k, ...]                     dx[..., k, ...] = dy
Tensor sum(const Tensor& x, int axis, bool keepdims = false);
/// y = (1/n) sum_k x[..., k, ...]               dx = dy / n
Tensor mean(const Tensor& x, int axis, bool keepdims = false);
/// y = max_k x[..., k, ...]                     dx = dy at the first maximum, 0 elsewhere
/// (PyTorch's max(dim) sends the gradient to the index it returns, the first maximum.)
Tensor max(const Tensor& x, int axis, bool keepdims = false);
/// Sum / mean of every element: shape () scalar.
Tensor sum(const Tensor& x);
Tensor mean(const Tensor& x);

// ---------------------------------------------------------------------------------------------
// Shape and indexing. Backward of each moves gradients back to where the values came from.

/// Same values, new shape with the same element count.       dx = reshape(dy, x.shape)
Tensor reshape(const Tensor& x, const Shape& shape);
/// Axes reordered: y.shape[i] = x.shape[axes[i]].            dx = permute(dy, inverse(axes))
Tensor permute(const Tensor& x, const std::vector<std::size_t>& axes);
/// Swaps two axes (a permute).
Tensor transpose(const Tensor& x, int axis0, int axis1);
/// Joins tensors along an existing axis; all other extents must agree. dx_i = slice of dy.
Tensor concat(const std::vector<Tensor>& xs, int axis);
/// Joins tensors of one shape along a new axis (composed: reshape each, then concat).
Tensor stack(const std::vector<Tensor>& xs, int axis);
/// x[..., begin:end, ...] along one axis.                     dx = dy placed back, zeros elsewhere
Tensor slice(const Tensor& x, int axis, std::size_t begin, std::size_t end);
/// Picks entries along `axis` by index: y[..., k, ...] = x[..., ids[k], ...] for 1-D ids.
/// Repeated ids are fine: backward scatter-adds (dx[..., ids[k], ...] += dy[..., k, ...]).
Tensor index_select(const Tensor& x, int axis, const Ids& ids);
/// Embedding lookup: weight (V, D), ids of any shape (...) -> (..., D); row ids[...] of weight.
/// Backward scatter-adds into the rows used, except the row `padding_id` (if >= 0), which never
/// receives a gradient (PyTorch's padding_idx). An id outside [0, V) is an error naming it.
Tensor embedding(const Tensor& weight, const Ids& ids, int padding_id = -1);

// ---------------------------------------------------------------------------------------------
// Selection. A condition or mask is a tensor whose nonzero entries mean true; it is never
// differentiated.

/// y = cond ? a : b, all three broadcast together.      da = dy * [cond],  db = dy * [!cond]
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
/// y = mask ? value : x, mask broadcast to x's shape.   dx = dy * [!mask]
/// Filling with -infinity before a softmax is how attention ignores padding.
Tensor masked_fill(const Tensor& x, const Tensor& mask, real value);

// ---------------------------------------------------------------------------------------------
// Normalisation and losses, fused for numerical stability.

/// Layer normalisation over the last axis, fused: per row, xhat = (x - mean) / sqrt(var + eps)
/// (biased variance, as PyTorch), y = xhat * gamma + beta.  x (..., D), gamma and beta (D).
/// dx = (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) / sqrt(var + eps), dxhat = dy * gamma.
/// This is what LayerNorm runs; its readable twin is composed_layer_norm (attn/nn/composed.hpp).
Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, real eps);

/// Recurrent cells' elementwise parts, fused (one node per step instead of ten). This is what the
/// GRU and LSTM cells run; their readable twins, tested equal, are composed_gru_state and
/// composed_lstm_step (attn/nn/composed.hpp). Gate blocks are in PyTorch's order.
/// GRU: xw = x W_i + b_i, hw = h W_h + b_h (B, 3H: r | z | n), h = h_{t-1} (B, H) -> h_t (B, H):
///   r = sigma(xw_r + hw_r), z = sigma(xw_z + hw_z), n = tanh(xw_n + r hw_n), h_t = n + z (h - n)
Tensor gru_state(const Tensor& xw, const Tensor& hw, const Tensor& h);
/// LSTM: gates = x W_i + b_i + h W_h + b_h (B, 4H: i | f | g | o), c = c_{t-1} (B, H) -> c_t (B, H):
///   c_t = sigma(a_f) c + sigma(a_i) tanh(a_g)
Tensor lstm_cell_state(const Tensor& gates, const Tensor& c);
/// LSTM: gates (B, 4H), c_t (B, H) -> h_t = sigma(a_o) tanh(c_t) (B, H)
Tensor lstm_hidden(const Tensor& gates, const Tensor& c_t);

/// y_k = e^(x_k - m) / sum_j e^(x_j - m), m = max_j x_j, along `axis`.
/// dx = y * (dy - sum_k dy_k y_k). Entries equal to -inf get weight 0; a row that is entirely
/// -inf (every key masked) gives all zeros and zero gradient, never NaN.
Tensor softmax(const Tensor& x, int axis);
/// y_k = x_k - m - log sum_j e^(x_j - m).   dx = dy - softmax(x) * sum_k dy_k.
/// A row that is entirely -inf gives zeros (there is no distribution) and zero gradient.
Tensor log_softmax(const Tensor& x, int axis);

struct CrossEntropyOptions {
    int ignore_index = -100;      // targets equal to this are padding: no loss, no gradient
    real label_smoothing = 0;     // eps in [0, 1)
};
/// Mean over the non-ignored rows n of  -sum_c q_nc log softmax(logits_n)_c,  where the target
/// distribution q puts 1 - eps on the target class and spreads eps uniformly over the classes
/// that can be predicted: not the ignore_index class (padding is never a target) and not classes
/// whose logit is -inf (masked). logits (N, C), targets (N) -> () scalar; or logits (..., C) with
/// targets (...): one row per position (a (B, T, V) batch of tokens, without a reshape).
/// d logits_n = (softmax(logits_n) - q_n) / count. With every row ignored the loss is 0.
Tensor cross_entropy(const Tensor& logits, const Ids& targets, CrossEntropyOptions options = {});

// ---------------------------------------------------------------------------------------------
// Regularisation.

/// Inverted dropout: in training, each element is zeroed with probability p and the survivors
/// are scaled by 1/(1-p), so the expected value is unchanged; dx = dy * mask / (1-p).
/// With training = false (evaluation) or p = 0 it returns x itself.
Tensor dropout(const Tensor& x, real p, Rng& rng, bool training);

}  // namespace attn
