// attn/array.hpp — the only header that includes xtensor.
//
// `Array` is the concrete n-dimensional array every op computes with: row-major, contiguous,
// elements of type `real`. Rules for code that uses it (design.md section 9):
//  - never `auto x = <xtensor expression>`: expressions are lazy and may dangle; assign to an Array;
//  - no lazy expression in a member, a lambda capture, a container or a return type;
//  - `Array({2, 3})` is a 1-D array holding 2 and 3, not a shape: use zeros(shape).
#pragma once

#include <xtensor/xarray.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "attn/config.hpp"
#include "attn/shape.hpp"

namespace attn {

using Array = xt::xarray<real, xt::layout_type::row_major>;

/// The shape of an array as an attn::Shape.
inline Shape shape_of(const Array& a) { return Shape(a.shape().begin(), a.shape().end()); }

/// A zero-filled array of the given shape.
inline Array zeros(const Shape& shape) { return Array(xt::zeros<real>(shape)); }

}  // namespace attn
