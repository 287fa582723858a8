// attn/train/progress.hpp — one progress line for long loops.
//
// On a terminal it rewrites a single line in place (at most ten times a second); when the output
// is a file or a pipe (CI logs, `| tee`) it prints plain lines instead, about twenty per run (and one at least every ten
// seconds), so logs stay readable. Shows: epoch, step/total, loss (running mean since the last line), tokens/s,
// elapsed time and ETA.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace attn {

class Progress {
public:
    /// total_steps: steps in the whole run (for the ETA). `unit` names what step() counts ("tok",
    /// "doc"). `out` defaults to stdout.
    explicit Progress(long total_steps, std::string unit = "tok", std::FILE* out = stdout);
    /// Reports one finished step: its loss and how many units (tokens, documents) it processed.
    void step(int epoch, double loss, long tokens);
    /// Ends the line (on a terminal) and prints a last summary.
    void finish();
    /// The line that would be shown now: "epoch 2  step 120/400  loss 1.2345  5,120 tok/s  3.1s  ETA 7.2s".
    std::string line() const;

    bool interactive() const { return interactive_; }

private:
    using clock = std::chrono::steady_clock;
    std::string unit_;
    std::FILE* out_;
    bool interactive_;
    long total_, done_ = 0;
    int epoch_ = 0;
    double loss_sum_ = 0;
    long loss_count_ = 0;
    double last_loss_ = 0;
    long tokens_ = 0;
    clock::time_point start_, last_print_;
    long next_plain_line_ = 0;
};

}  // namespace attn
