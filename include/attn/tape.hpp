// attn/tape.hpp — the tape, the recording scope, and backward.
//
// While a `Recording` scope is active, every differentiable op appends one node to the tape: its
// name, its input tensors, its output tensor, and a function that turns dL/d(output) into
// dL/d(inputs). Nodes are stored in execution order, so walking the vector backwards visits every
// node after all the nodes that used its output: reverse mode needs no graph search and no
// recursion, however deep the computation (an unrolled RNN, a 100,000-op chain).
//
//     Tape tape;
//     {
//         Recording on(tape);            // ops in this block are recorded
//         Tensor loss = model.loss(batch);
//         tape.backward(loss);           // fills grad() of every parameter that loss used
//     }
//     optimizer.step();                  // plain array updates, not recorded
//
// Outside any Recording scope nothing is recorded (inference costs no tape memory).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "attn/tensor.hpp"

namespace attn {

struct Node;  // defined in attn/record.hpp

class Tape {
public:
    Tape();
    ~Tape();
    Tape(const Tape&) = delete;
    Tape& operator=(const Tape&) = delete;

    /// Reverse sweep from a scalar loss recorded on this tape: d(loss)/d(loss) = 1, then every
    /// node's backward in reverse order, accumulating into the gradients of its inputs.
    /// Throws std::logic_error for a non-scalar loss, a loss from another tape (or none), and a
    /// second backward over the same recording.
    void backward(const Tensor& loss);

    std::size_t size() const;  // number of recorded nodes
    std::uint64_t id() const { return id_; }
    /// How many gradients backward handed on instead of copying (Backward::take_dout).
    std::size_t gradients_handed_on() const { return handed_on_; }
    /// How many intermediate gradients backward freed as soon as their node had run (no handle
    /// but the tape's could read them; a tensor the user still holds keeps its gradient).
    std::size_t gradients_freed() const { return freed_; }

    /// One line per node: index, op, input shapes -> output shape, output bytes.
    void print(std::ostream& out) const;
    /// The recorded graph in Graphviz DOT (render with `dot -Tsvg tape.dot > tape.svg`).
    std::string to_dot() const;

    // Used by record(); op authors never call it directly.
    void append(Node node);

private:
    std::vector<Node> nodes_;
    std::uint64_t id_;
    bool swept_ = false;
    std::size_t handed_on_ = 0;
    std::size_t freed_ = 0;
};

/// RAII: records ops on `tape` until the end of the scope, then restores whatever was active
/// before (scopes nest, and an exception unwinding through the scope restores it too).
class Recording {
public:
    explicit Recording(Tape& tape);
    ~Recording();
    Recording(const Recording&) = delete;
    Recording& operator=(const Recording&) = delete;

private:
    Tape* previous_;
};

/// RAII: nothing is recorded until the end of the scope (evaluation, decoding, finite differences).
class NoRecording {
public:
    NoRecording();
    ~NoRecording();
    NoRecording(const NoRecording&) = delete;
    NoRecording& operator=(const NoRecording&) = delete;

private:
    Tape* previous_;
};

/// The tape ops are currently recorded on, or nullptr.
Tape* active_tape();

/// RAII: while alive, every op checks its output (and backward every gradient) for NaN/Inf and
/// throws std::runtime_error naming the first op that produced one. Slow; for debugging.
/// An infinite value written on purpose (masked_fill with -inf) is not an anomaly.
class AnomalyMode {
public:
    AnomalyMode();
    ~AnomalyMode();
    AnomalyMode(const AnomalyMode&) = delete;
    AnomalyMode& operator=(const AnomalyMode&) = delete;

private:
    bool previous_;
};

bool anomaly_mode();

}  // namespace attn
