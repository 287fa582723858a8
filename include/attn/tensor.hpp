// attn/tensor.hpp — the Tensor handle.
//
// A Tensor is a cheap handle to shared storage: a value, an optional gradient, and a flag that
// says whether gradients should flow into it. Copying a Tensor shares the storage (like a
// shared_ptr); `detach()` makes an independent copy of the value. Storage never points at the tape,
// so a Tensor can outlive every tape that used it — that is what a parameter is.
//
// This header does not include xtensor: code that only uses the engine compiles fast. Op authors
// who need the array itself include attn/record.hpp.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "attn/config.hpp"
#include "attn/shape.hpp"

namespace attn {

struct Storage;  // defined in attn/record.hpp (it holds xtensor arrays)

/// Integer ids with a shape: token ids, class labels, row indices. Never differentiable.
struct Ids {
    Shape shape;
    std::vector<int> values;  // row-major, element_count(shape) of them

    Ids() = default;
    Ids(Shape shape, std::vector<int> values);  // checks that the count matches the shape
    explicit Ids(std::vector<int> values);      // 1-D
};

class Tensor {
public:
    /// An empty handle; using it throws std::logic_error. Lets modules declare members first.
    Tensor() = default;
    explicit Tensor(std::shared_ptr<Storage> storage);

    // ---- construction (constants: no gradient unless you ask with set_requires_grad()) ----
    static Tensor zeros(const Shape& shape);
    static Tensor full(const Shape& shape, real value);
    static Tensor scalar(real value);
    /// Values in row-major order; throws if there are not element_count(shape) of them.
    static Tensor from(const Shape& shape, std::vector<real> values);

    // ---- gradients ----
    /// Marks a leaf tensor as a parameter: backward will accumulate dL/dthis into grad().
    Tensor& set_requires_grad(bool on = true);
    bool requires_grad() const;
    /// True once a backward pass has reached this tensor (and zero_grad has not cleared it).
    bool has_grad() const;
    /// A copy of the accumulated gradient; throws if no backward pass has reached this tensor.
    Tensor grad() const;
    /// The accumulated gradient in place (row-major, size() elements), for optimisers and clipping;
    /// throws like grad() when there is none.
    real* grad_data();
    const real* grad_data() const;
    /// Forgets the accumulated gradient (the next backward starts from zero).
    void zero_grad();
    /// A new constant tensor with a copy of this value: no gradient flows through it.
    Tensor detach() const;

    // ---- shape and values ----
    Shape shape() const;
    std::size_t shape(int axis) const;  // extent of one axis; negative counts from the end
    std::size_t dim() const;            // number of axes
    std::size_t size() const;           // number of elements
    real* data();                       // row-major, contiguous
    const real* data() const;
    real item() const;                                 // the value of a one-element tensor
    real at(std::initializer_list<std::size_t> index) const;  // one element, bounds-checked
    std::vector<real> values() const;                  // a row-major copy

    /// A label used by the printed tape and the DOT graph ("W1", "x").
    Tensor& named(std::string name);
    const std::string& name() const;

    bool defined() const { return storage_ != nullptr; }
    /// Two handles to the same storage?
    bool same_as(const Tensor& other) const { return storage_ == other.storage_; }

    Storage& storage() const;  // for op authors (attn/record.hpp); throws on an empty handle
    /// How many handles share this storage (the engine's test for "no one else can read it").
    long handles() const { return storage_.use_count(); }

private:
    std::shared_ptr<Storage> storage_;
};

}  // namespace attn
