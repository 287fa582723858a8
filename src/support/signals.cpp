// Stopping a run cleanly on SIGINT and SIGTERM (see attn/support/signals.hpp).
#include "attn/support/signals.hpp"

#include <csignal>
#include <cstring>

#include <unistd.h>

namespace attn {

namespace {

volatile std::sig_atomic_t installed = 0;  // a StopOnSignal is alive
volatile std::sig_atomic_t deferring = 0;  // depth of DeferSignals scopes
volatile std::sig_atomic_t requested = 0;  // the signal waiting, 0 = none

// The lines printed when stopping at once, composed beforehand: a handler may only write(2).
char line_interrupt[1024], line_terminate[1024];
struct sigaction previous_interrupt, previous_terminate;

[[noreturn]] void stop_now(int signal_number) {
    const char* line = signal_number == SIGINT ? line_interrupt : line_terminate;
    const ssize_t ignored = ::write(STDERR_FILENO, line, std::strlen(line));
    (void)ignored;
    ::_exit(128 + signal_number);
}

extern "C" void on_signal(int signal_number) {
    if (deferring > 0 && requested == 0) {
        requested = signal_number;  // acted on between two training steps, or when the scope ends
        return;
    }
    stop_now(signal_number);
}

void compose(char* buffer, std::size_t size, const std::string& program, int signal_number, const std::string& kept) {
    std::string line = program + ": stopped by " + signal_name(signal_number) + "; " + kept + "\n";
    if (line.size() >= size) line = line.substr(0, size - 2) + "\n";
    std::memcpy(buffer, line.c_str(), line.size() + 1);
}

}  // namespace

std::string signal_name(int signal_number) {
    if (signal_number == SIGINT) return "SIGINT";
    if (signal_number == SIGTERM) return "SIGTERM";
    return "signal " + std::to_string(signal_number);
}

StopOnSignal::StopOnSignal(const std::string& program, const std::string& what_is_kept) {
    compose(line_interrupt, sizeof line_interrupt, program, SIGINT, what_is_kept);
    compose(line_terminate, sizeof line_terminate, program, SIGTERM, what_is_kept);
    requested = 0;
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // a write or fsync in progress goes on rather than failing with EINTR
    sigaction(SIGINT, &action, &previous_interrupt);
    sigaction(SIGTERM, &action, &previous_terminate);
    installed = 1;
}

StopOnSignal::~StopOnSignal() {
    sigaction(SIGINT, &previous_interrupt, nullptr);
    sigaction(SIGTERM, &previous_terminate, nullptr);
    installed = 0;
}

DeferSignals::DeferSignals() { deferring = deferring + 1; }

DeferSignals::~DeferSignals() {
    deferring = deferring - 1;
    if (deferring == 0 && requested != 0 && installed) stop_now(requested);
}

int take_stop_request() {
    const int signal_number = requested;
    requested = 0;
    return signal_number;
}

}  // namespace attn
