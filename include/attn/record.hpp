// attn/record.hpp — what an op author needs: Storage, Backward, and record().
//
// An op is one function: compute the forward value eagerly, then hand it to record() together with
// the inputs and a backward lambda. The engine does everything else, once, for every op:
//  - records a node only when a Recording scope is active and some input requires a gradient;
//  - calls the lambda during backward with dL/d(output), skipping inputs that need no gradient;
//  - sums a gradient over broadcast axes back to its input's shape (numpy broadcasting);
//  - checks every returned gradient's shape, naming the op when it is wrong;
//  - accumulates into the inputs' gradients (or lets an op add a small block in place, see
//    Backward::input_grad).
//
//     /// tanh, elementwise.   y = tanh(x)   dL/dx = dL/dy * (1 - y^2)   shapes: any -> same
//     Tensor tanh(const Tensor& x) {
//         Array y = xt::tanh(value(x));
//         return record("tanh", std::move(y), {x}, [](const Backward& g) -> Grads {
//             return {g.dout * (1 - g.out * g.out)};
//         });
//     }
//
// Lambdas capture extra state by value (a dropout mask, saved statistics), never by reference,
// and never capture their own output: the engine passes it in as g.out.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "attn/array.hpp"
#include "attn/tape.hpp"
#include "attn/tensor.hpp"

namespace attn {

struct Storage {
    Array value;
    Array grad;                  // meaningful only when has_grad
    bool has_grad = false;
    bool requires_grad = false;  // a parameter, or computed from one while recording
    std::uint64_t tape_id = 0;   // the tape that recorded the op producing this (0: none)
    std::string name;
    std::size_t parameter_bytes = 0;  // counted as a parameter's (attn/memory.hpp) until freed
    std::size_t consumers = 0;        // recorded nodes that take this as an input

    Storage() = default;
    Storage(const Storage&) = delete;  // one count per storage: tensors share storages, never copy them
    Storage& operator=(const Storage&) = delete;
    ~Storage();
};

/// The array inside a tensor (what forward code computes with).
inline const Array& value(const Tensor& t) { return t.storage().value; }
inline Array& value_mut(Tensor& t) { return t.storage().value; }

/// A new constant tensor owning `value`.
Tensor make_tensor(Array value);

/// What a backward lambda is given.
struct Backward {
    const Array& out;                  // the forward result y
    const Array& dout;                 // dL/dy, same shape as y
    const std::vector<Tensor>& inputs;
    Storage* output = nullptr;         // y's storage (take_dout)
    bool dout_is_dead = false;         // nothing reads dL/dy after this node (take_dout)

    /// dL/dy itself for an op that passes it on unchanged (add, reshape): moved out of y's storage,
    /// not copied, when nothing can read it any more — the engine has checked that only the tape and
    /// the nodes that consumed y hold it, no user handle — and a copy otherwise. After the call
    /// `dout` is empty: use it (copy it for a second input) before, never after.
    Array take_dout() const;

    const Array& in(std::size_t i) const { return value(inputs[i]); }
    /// Whether input i wants a gradient; ops may skip computing the others (return std::nullopt).
    bool needs(std::size_t i) const { return inputs[i].requires_grad(); }
    /// Input i's gradient, zero-filled on first use, for adding a contribution in place: for ops
    /// whose gradient touches a small part of a big input (slice, index_select, embedding), where a
    /// full-size zero array per node would cost more than the op itself. Such an op adds into it
    /// and returns std::nullopt for input i. Call only when needs(i).
    Array& input_grad(std::size_t i) const;
};

namespace detail {
/// A lone integer is a count (Grads d(2)), never an entry.
template <class... G>
constexpr bool is_one_count() {
    return sizeof...(G) == 1 && (std::is_integral_v<std::remove_cv_t<std::remove_reference_t<G>>> && ...);
}
}  // namespace detail

/// One gradient per input, in input order; std::nullopt for "none" (e.g. a constant input).
/// A gradient may have the broadcast shape of the output: the engine sums it back.
/// Built as `return {dx};`, `return {std::move(da), std::nullopt};`, or `Grads d(2);` then d[i] = ...
/// Not a std::vector: a vector built from braces copies every array in (an initializer list's
/// elements are const, so they cannot be moved from): a full copy of every gradient, 8 MB a step
/// for B5's cross-entropy. Here each entry is built in place from what the braces name.
class Grads {
public:
    /// `inputs` empty entries, to fill in by index.
    explicit Grads(std::size_t inputs) : entries_(inputs) {}
    /// One entry per argument, each an array, an array expression or std::nullopt, moved in.
    template <class... G, std::enable_if_t<!detail::is_one_count<G...>() &&
                                               (std::is_constructible_v<std::optional<Array>, G&&> && ...), int> = 0>
    Grads(G&&... entries) {
        entries_.reserve(sizeof...(G));
        (entries_.emplace_back(std::forward<G>(entries)), ...);
    }

    std::size_t size() const { return entries_.size(); }
    std::optional<Array>& operator[](std::size_t i) { return entries_[i]; }
    const std::optional<Array>& operator[](std::size_t i) const { return entries_[i]; }

private:
    std::vector<std::optional<Array>> entries_;
};

using BackwardFn = std::function<Grads(const Backward&)>;

struct Node {
    const char* op;
    std::vector<Tensor> inputs;
    Tensor output;
    BackwardFn backward;
};

/// Wraps a computed value as the op's output, recording a node when needed (see the top of this
/// file). `infinite_ok` tells anomaly mode that an infinite output is intended (masking).
Tensor record(const char* op, Array value, std::vector<Tensor> inputs, BackwardFn backward,
              bool infinite_ok = false);

/// Sums `grad` over the axes along which `shape` was broadcast, giving an array of `shape`.
/// Throws std::logic_error naming `op` when `shape` does not broadcast to grad's shape.
Array sum_to_shape(const char* op, const Array& grad, const Shape& shape);

/// `a` with its axes reordered (y's axis i is a's axis axes[i]), as a new contiguous array; the
/// copy behind permute, split_heads and merge_heads. Fast when the last axis stays last.
Array permuted(const Array& a, const std::vector<std::size_t>& axes);

/// Views a shape as (outer, n, inner) around `axis`: the layout every axis op loops over.
struct AxisLayout {
    std::size_t outer, n, inner;
};
AxisLayout axis_layout(const Shape& shape, std::size_t axis);

}  // namespace attn
