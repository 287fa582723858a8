// attn/shape.hpp — shapes, and the checks every op runs at its entry.
//
// A shape is a plain vector of extents, row-major: (B, S, D) means D varies fastest.
// The check helpers throw std::invalid_argument with a message that names the op and the
// offending shapes, e.g. "matmul: inner dimensions differ: a is (4, 8), b is (16, 3)".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace attn {

using Shape = std::vector<std::size_t>;

/// "(4, 8)"; a scalar (no axes) prints as "()".
std::string to_string(const Shape& shape);

/// Number of elements: the product of the extents (1 for a scalar).
std::size_t element_count(const Shape& shape);

/// Normalises a possibly negative axis (-1 = last) for a tensor with `dims` axes;
/// throws "op: axis 3 is out of range for shape (2, 3)".
std::size_t normalize_axis(const char* op, int axis, const Shape& shape);

/// The numpy broadcast of two shapes, or an error naming the op and both shapes.
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

/// Throws std::invalid_argument("op: message") — the one way ops report bad arguments.
[[noreturn]] void fail(const char* op, const std::string& message);

}  // namespace attn
