// The sinusoidal positional encoding (see attn/nn/positional_encoding.hpp).
#include "attn/nn/positional_encoding.hpp"

#include <cmath>
#include <vector>

namespace attn {

Tensor sinusoidal_positions(std::size_t length, std::size_t dim) {
    // EXERCISE ch5.positional_encoding (3 points): the sinusoidal positional encoding PE(pos, 2i) = sin, PE(pos, 2i+1) = cos
    std::vector<real> pe(length * dim);
    for (std::size_t pos = 0; pos < length; ++pos) {
        for (std::size_t k = 0; k < dim; ++k) {
            const std::size_t two_i = k - k % 2;  // the even index of the sin/cos pair
            const double angle = double(pos) / std::pow(10000.0, double(two_i) / double(dim));
            pe[pos * dim + k] = real(k % 2 == 0 ? std::sin(angle) : std::cos(angle));
        }
    }
    return Tensor::from({length, dim}, pe);
    // END EXERCISE ch5.positional_encoding
}

}  // namespace attn
