// attn/support/signals.hpp — stopping a run cleanly on SIGINT (Ctrl-C) and SIGTERM (kill, a batch
// system's time limit).
//
// While a StopOnSignal is alive, either signal:
//   - inside a DeferSignals scope (the training loop, a file being written): is remembered, the
//     scope finishes its work (the step, the rename), then the training loop throws Interrupted
//     (whose message says where the last good checkpoint is) and the program exits 128 + signal;
//   - anywhere else (loading data, testing): prints the StopOnSignal's one line and exits at once
//     with 128 + signal — nothing is half-written there, every file is renamed into place whole.
// A second signal while the first waits exits at once the same way. Without a StopOnSignal the
// signals keep their default action.
#pragma once

#include <stdexcept>
#include <string>

namespace attn {

/// Thrown by the training loop after a signal; `signal` is SIGINT or SIGTERM.
class Interrupted : public std::runtime_error {
public:
    Interrupted(int signal_number, const std::string& message) : std::runtime_error(message), signal(signal_number) {}
    int signal;
};

class StopOnSignal {
public:
    /// `program` and `what_is_kept` make the line printed when stopping outside a DeferSignals
    /// scope: "<program>: stopped by SIGINT; <what_is_kept>".
    StopOnSignal(const std::string& program, const std::string& what_is_kept);
    ~StopOnSignal();
    StopOnSignal(const StopOnSignal&) = delete;
    StopOnSignal& operator=(const StopOnSignal&) = delete;
};

/// Signals wait until this scope ends (nested scopes: until the outermost one ends, unless the
/// training loop acts on them first with stop_requested()).
class DeferSignals {
public:
    DeferSignals();
    ~DeferSignals();
    DeferSignals(const DeferSignals&) = delete;
    DeferSignals& operator=(const DeferSignals&) = delete;
};

/// The signal waiting to be acted on (SIGINT, SIGTERM), or 0; the caller now acts on it (a
/// DeferSignals scope ending afterwards no longer stops the program).
int take_stop_request();

/// "SIGINT", "SIGTERM", or "signal N".
std::string signal_name(int signal_number);

}  // namespace attn
