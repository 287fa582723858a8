// attn/memory.hpp — refusing arrays that cannot fit, before allocating them.
//
// A size typed by mistake (--hidden 300000) must end in one line naming the memory it would need,
// not in std::bad_alloc or in a machine swapping for minutes. Every fresh tensor made from a shape
// (Tensor::zeros/full/from, uniform, normal) asks require_memory first; every tensor made a
// parameter (set_requires_grad) counts towards the parameter total until it is freed. Training
// holds four arrays per parameter (value, gradient, Adam's two moments), so the check is
//   4 x (parameters alive) + this array  <=  the memory limit (this machine's physical memory),
// and for a tensor that will be a parameter (random initialisation), 4 x its bytes.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include "attn/shape.hpp"

namespace attn {

/// What require_memory throws: the message says what was asked for and what the machine has.
class OutOfMemory : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Throws OutOfMemory unless an array of `shape` fits beside the parameters alive. `copies` is how
/// many arrays of this shape training will hold (4 for a parameter, 1 otherwise).
void require_memory(const Shape& shape, std::size_t copies = 1);

/// Counts `bytes` of parameters as alive (negative: freed), refusing when 4 x the total exceeds
/// the limit (the count is then left unchanged).
void count_parameter_bytes(long long bytes);
/// Bytes of parameters alive in this process.
std::size_t parameter_bytes_alive();

/// The limit (physical memory unless set); set_memory_limit(0) restores it. For tests.
std::size_t memory_limit();
void set_memory_limit(std::size_t bytes);

/// "1.5 GB", "300 MB": for messages.
std::string bytes_text(double bytes);

}  // namespace attn
