// The engine: recording nodes, the reverse sweep, and what every op gets for free
// (broadcast reduction, gradient shape checks, accumulation, anomaly checks).
#include "attn/tape.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>

#include "attn/record.hpp"

namespace attn {

namespace {

thread_local Tape* active = nullptr;
thread_local bool anomaly_checks = false;

std::uint64_t next_tape_id() {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
}

bool has_nan(const Array& a) {
    for (real v : a) if (std::isnan(v)) return true;
    return false;
}

bool has_non_finite(const Array& a) {
    for (real v : a) if (!std::isfinite(v)) return true;
    return false;
}

}  // namespace

// ---- scopes ---------------------------------------------------------------------------------

Tape* active_tape() { return active; }

Recording::Recording(Tape& tape) : previous_(active) { active = &tape; }
Recording::~Recording() { active = previous_; }

NoRecording::NoRecording() : previous_(active) { active = nullptr; }
NoRecording::~NoRecording() { active = previous_; }

AnomalyMode::AnomalyMode() : previous_(anomaly_checks) { anomaly_checks = true; }
AnomalyMode::~AnomalyMode() { anomaly_checks = previous_; }
bool anomaly_mode() { return anomaly_checks; }

// ---- recording --------------------------------------------------------------------------------

Tape::Tape() : id_(next_tape_id()) {}
Tape::~Tape() = default;  // nodes hold handles to storages; storages hold nothing: no recursion

std::size_t Tape::size() const { return nodes_.size(); }

void Tape::append(Node node) {
    if (swept_) {
        throw std::logic_error(std::string(node.op) +
                               ": recording onto a tape that has already run backward; "
                               "start a new Tape for the next step");
    }
    nodes_.push_back(std::move(node));
}

Tensor record(const char* op, Array value, std::vector<Tensor> inputs, BackwardFn backward,
              bool infinite_ok) {
    if (anomaly_checks && (infinite_ok ? has_nan(value) : has_non_finite(value))) {
        throw std::runtime_error(std::string("anomaly: ") + op + " produced " +
                                 (has_nan(value) ? "NaN" : "Inf") + " in its output of shape " +
                                 to_string(shape_of(value)));
    }
    Tensor out = make_tensor(std::move(value));
    Tape* tape = active;
    if (tape == nullptr) return out;
    bool any_needs_grad = false;
    for (const Tensor& input : inputs) any_needs_grad = any_needs_grad || input.requires_grad();
    if (!any_needs_grad) return out;

    for (const Tensor& input : inputs) ++input.storage().consumers;  // take_dout's bookkeeping
    Storage& s = out.storage();
    s.requires_grad = true;
    s.tape_id = tape->id();
    tape->append(Node{op, std::move(inputs), out, std::move(backward)});
    return out;
}

// ---- what the engine does for every op's gradients ----------------------------------------------

AxisLayout axis_layout(const Shape& shape, std::size_t axis) {
    AxisLayout l{1, shape[axis], 1};
    for (std::size_t i = 0; i < axis; ++i) l.outer *= shape[i];
    for (std::size_t i = axis + 1; i < shape.size(); ++i) l.inner *= shape[i];
    return l;
}

namespace {

/// grad (..., shape) summed over its leading axes: the rows of shape's size added one after another
/// into zeros, the order xt::sum takes, so the same numbers (tested) — without its generic
/// reducer, which took 1% of a B5 step summing bias gradients.
Array sum_rows(const Array& grad, const Shape& shape) {
    Array sum = zeros(shape);
    const std::size_t n = sum.size(), rows = n == 0 ? 0 : grad.size() / n;
    real* out = sum.data();
    for (std::size_t r = 0; r < rows; ++r) {
        const real* row = grad.data() + r * n;
        for (std::size_t j = 0; j < n; ++j) out[j] += row[j];
    }
    return sum;
}

}  // namespace

Array sum_to_shape(const char* op, const Array& grad, const Shape& shape) {
    const Shape from = shape_of(grad);
    if (from == shape) return grad;
    // `shape` must broadcast to `from`: right-aligned, each extent equal or 1.
    const std::size_t lead = from.size() >= shape.size() ? from.size() - shape.size() : 0;
    bool ok = from.size() >= shape.size();
    for (std::size_t i = 0; ok && i < shape.size(); ++i) {
        ok = shape[i] == from[lead + i] || shape[i] == 1;
    }
    if (!ok) {
        throw std::logic_error(std::string(op) + ": backward returned a gradient of shape " +
                               to_string(from) + " for an input of shape " + to_string(shape));
    }
    if (std::equal(shape.begin(), shape.end(), from.begin() + lead)) {  // only leading axes to sum away
        return sum_rows(grad, shape);
    }
    // Sum the leading axes away, then the stretched ones (keeping them as extent 1).
    std::vector<std::size_t> axes;
    for (std::size_t i = 0; i < from.size(); ++i) {
        if (i < lead || (shape[i - lead] == 1 && from[i] != 1)) axes.push_back(i);
    }
    Array reduced = xt::sum(grad, axes, xt::evaluation_strategy::immediate);
    return Array(xt::reshape_view(reduced, shape));
}

namespace {

void accumulate(Storage& s, Array&& g) {
    if (s.has_grad) {
        s.grad += g;
    } else {
        s.grad = std::move(g);
        s.has_grad = true;
    }
}

}  // namespace

namespace {
thread_local std::size_t handed_on = 0;  // Backward::take_dout's moves, for Tape::gradients_handed_on
}  // namespace

Array Backward::take_dout() const {
    if (!dout_is_dead || output == nullptr || !output->has_grad) return dout;
    output->has_grad = false;  // y's gradient is handed on: y no longer has one
    ++handed_on;
    return std::move(output->grad);
}

Array& Backward::input_grad(std::size_t i) const {
    Storage& s = inputs[i].storage();
    if (!s.requires_grad) throw std::logic_error("input_grad: input " + std::to_string(i) + " needs no gradient");
    if (!s.has_grad) {
        s.grad = zeros(shape_of(s.value));
        s.has_grad = true;
    }
    return s.grad;
}

// ---- the reverse sweep --------------------------------------------------------------------------

void Tape::backward(const Tensor& loss) {
    const Storage& l = loss.storage();
    if (swept_) {
        throw std::logic_error("backward: this tape has already run backward once; record the "
                               "computation again on a new Tape for another pass");
    }
    if (l.tape_id == 0) {
        throw std::logic_error("backward: the loss was not recorded on any tape; compute it inside "
                               "`Recording on(tape);` from tensors that require a gradient");
    }
    if (l.tape_id != id_) {
        throw std::logic_error("backward: the loss was recorded on a different tape; call backward "
                               "on the tape that was active when the loss was computed");
    }
    if (l.value.size() != 1) {
        throw std::logic_error("backward: the loss must be a scalar, got shape " +
                               to_string(shape_of(l.value)) + "; reduce it first (sum or mean)");
    }
    swept_ = true;
    freed_ = 0;
    const std::size_t handed_on_before = handed_on;

    Storage& seed = loss.storage();
    accumulate(seed, Array(xt::ones<real>(seed.value.shape())));

    for (std::size_t i = nodes_.size(); i-- > 0;) {
        Node& node = nodes_[i];
        Storage& out = node.output.storage();
        if (!out.has_grad) continue;  // this node does not lead to the loss

        // Dead after this node when the only handles left are the node's own and those of the nodes
        // that consumed it (all swept already): then an op may hand dL/dy on instead of copying it.
        const bool dead = node.output.handles() == 1 + long(out.consumers);
        Grads grads = node.backward(Backward{out.value, out.grad, node.inputs, &out, dead});
        if (grads.size() != node.inputs.size()) {
            throw std::logic_error(std::string(node.op) + ": backward returned " +
                                   std::to_string(grads.size()) + " gradients for " +
                                   std::to_string(node.inputs.size()) + " inputs");
        }
        for (std::size_t k = 0; k < grads.size(); ++k) {
            Storage& in = node.inputs[k].storage();
            if (!in.requires_grad || !grads[k]) continue;
            const Shape in_shape = shape_of(in.value);
            Array g = shape_of(*grads[k]) == in_shape ? std::move(*grads[k])
                                                      : sum_to_shape(node.op, *grads[k], in_shape);
            if (anomaly_checks && has_non_finite(g)) {
                throw std::runtime_error(std::string("anomaly: backward of ") + node.op +
                                         " produced NaN/Inf in the gradient of input " +
                                         std::to_string(k) + " (shape " + to_string(shape_of(g)) + ")");
            }
            accumulate(in, std::move(g));
        }
        // Nothing reads dL/dy or the lambda's saved state again: free them now rather than when the
        // tape dies, so the sweep holds the gradients of its frontier, not of every node it passed
        // (B5: peak memory 606 -> see README Performance). Values stay: printing needs their shapes.
        node.backward = BackwardFn();
        if (dead && out.has_grad) {
            out.grad = Array();
            out.has_grad = false;
            ++freed_;
        }
    }
    handed_on_ = handed_on - handed_on_before;
}

}  // namespace attn
