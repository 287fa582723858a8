// Shapes: printing, counting, axis normalisation, broadcasting — and the one error helper.
#include "attn/shape.hpp"

#include <stdexcept>

namespace attn {

std::string to_string(const Shape& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + ")";
}

std::size_t element_count(const Shape& shape) {
    std::size_t n = 1;
    for (std::size_t extent : shape) n *= extent;
    return n;
}

std::size_t normalize_axis(const char* op, int axis, const Shape& shape) {
    const int dims = static_cast<int>(shape.size());
    const int normalized = axis < 0 ? axis + dims : axis;
    if (normalized < 0 || normalized >= dims) {
        fail(op, "axis " + std::to_string(axis) + " is out of range for shape " + to_string(shape));
    }
    return static_cast<std::size_t>(normalized);
}

Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b) {
    const std::size_t dims = std::max(a.size(), b.size());
    Shape out(dims);
    for (std::size_t i = 0; i < dims; ++i) {  // i counts axes from the right
        const std::size_t ea = i < a.size() ? a[a.size() - 1 - i] : 1;
        const std::size_t eb = i < b.size() ? b[b.size() - 1 - i] : 1;
        if (ea != eb && ea != 1 && eb != 1) {
            fail(op, "shapes do not broadcast: a is " + to_string(a) + ", b is " + to_string(b));
        }
        out[dims - 1 - i] = ea == 1 ? eb : ea;
    }
    return out;
}

void fail(const char* op, const std::string& message) {
    throw std::invalid_argument(std::string(op) + ": " + message);
}

}  // namespace attn
