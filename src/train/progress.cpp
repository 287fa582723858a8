// The progress line (see attn/train/progress.hpp).
#include "attn/train/progress.hpp"

#include <unistd.h>

#include <algorithm>

namespace attn {

namespace {

std::string seconds(double s) {
    char text[32];
    if (s < 60) {
        std::snprintf(text, sizeof text, "%.1fs", s);
    } else {
        std::snprintf(text, sizeof text, "%dm%02ds", int(s) / 60, int(s) % 60);
    }
    return text;
}

std::string thousands(long n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

}  // namespace

Progress::Progress(long total_steps, std::string unit, std::FILE* out)
    : unit_(std::move(unit)), out_(out), interactive_(::isatty(::fileno(out)) != 0), total_(std::max(1L, total_steps)),
      start_(clock::now()), last_print_(start_) {}

std::string Progress::line() const {
    const double elapsed = std::chrono::duration<double>(clock::now() - start_).count();
    const double loss = loss_count_ > 0 ? loss_sum_ / double(loss_count_) : last_loss_;
    const double rate = elapsed > 0 ? double(tokens_) / elapsed : 0;
    const double eta = done_ > 0 ? elapsed / double(done_) * double(total_ - done_) : 0;
    char text[160];
    std::snprintf(text, sizeof text, "epoch %d  step %ld/%ld  loss %.4f  %s %s/s  %s  ETA %s", epoch_, done_, total_, loss,
                  thousands(long(rate)).c_str(), unit_.c_str(), seconds(elapsed).c_str(), seconds(eta).c_str());
    return text;
}

void Progress::step(int epoch, double loss, long tokens) {
    epoch_ = epoch;
    ++done_;
    tokens_ += tokens;
    loss_sum_ += loss;
    ++loss_count_;
    const clock::time_point now = clock::now();
    if (interactive_) {
        if (now - last_print_ < std::chrono::milliseconds(100) && done_ < total_) return;
        std::fprintf(out_, "\r%s\033[K", line().c_str());
    } else {
        // about twenty lines per run, and at least one every ten seconds
        if (done_ < next_plain_line_ && done_ < total_ && now - last_print_ < std::chrono::seconds(10)) return;
        next_plain_line_ = done_ + std::max(1L, total_ / 20);
        std::fprintf(out_, "%s\n", line().c_str());
    }
    std::fflush(out_);
    last_print_ = now;
    last_loss_ = loss_sum_ / double(loss_count_);
    loss_sum_ = 0;
    loss_count_ = 0;
}

void Progress::finish() {
    if (interactive_) std::fprintf(out_, "\r%s\033[K\n", line().c_str());
    std::fflush(out_);
}

}  // namespace attn
