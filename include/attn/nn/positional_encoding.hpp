// attn/nn/positional_encoding.hpp — the Transformer's sinusoidal positional encoding (Vaswani et
// al. 2017, 3.5).
#pragma once

#include "attn/tensor.hpp"

namespace attn {

/// PE(pos, 2i) = sin(pos / 10000^(2i/d)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/d)).
/// (length, d) constant. (A common mistake in write-ups is sin on both; the paper has cos on odd indices.)
Tensor sinusoidal_positions(std::size_t length, std::size_t dim);

}  // namespace attn
