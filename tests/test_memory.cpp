// Long runs do not grow: 10,000 float32 training steps of chapter 2's and chapter 5's models (every
// layer of each, at small widths so the test takes seconds; the note of issue 10 reports the same
// at the default widths: flat too), on random batches of varying lengths, as training sees them. The
// process's peak resident memory after step 10,000 must equal its peak after step 1,000, to
// within an allowance for the allocator (asserted below). A tape, a gradient or an optimiser
// buffer kept alive per step would add megabytes over 9,000 steps.
#include <doctest/doctest.h>

#include <sys/resource.h>

#include <cstdio>
#include <functional>

#include "../chapters/02_bahdanau/model.hpp"
#include "../chapters/05_transformer/model.hpp"
#include "attn/train/loop.hpp"
#include "attn/support/runtime.hpp"

using namespace attn;

static_assert(sizeof(real) == 4, "this test must link libattn (float32): it measures training as the chapters run it");

namespace {

// Under AddressSanitizer freed memory sits in quarantine, so RSS means nothing: the test then only
// runs a few hundred steps for the sanitizer's sake.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool measuring = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool measuring = false;
#else
constexpr bool measuring = true;
#endif
#else
constexpr bool measuring = true;
#endif

double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

/// Random source/target ids in [4, vocabulary), batch N, lengths drawn from [3, 12].
PairBatch random_batch(std::size_t vocabulary, std::size_t n, Rng& rng) {
    std::vector<std::vector<int>> sources, targets;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t s = 3 + rng.below(10), t = 3 + rng.below(10);  // lengths 3..12
        std::vector<int> source, target;
        for (std::size_t k = 0; k < s; ++k) source.push_back(4 + int(rng.below(vocabulary - 4)));
        for (std::size_t k = 0; k < t; ++k) target.push_back(4 + int(rng.below(vocabulary - 4)));
        sources.push_back(source);
        targets.push_back(target);
    }
    return make_pair_batch(sources, targets);
}

/// Trains for 10,000 steps with the library's trainer; returns the peak RSS (MB) after steps 1,000
/// and 10,000.
std::pair<double, double> peaks_over_training(Seq2SeqModel& model, std::size_t vocabulary, Rng& rng) {
    Trainer trainer(model, TrainOptions{});  // Adam, learning rate 1e-3, clip 5
    double after_1000 = 0;
    const int steps = measuring ? 10000 : 1000;
    for (int step = 1; step <= steps; ++step) {
        const PairBatch batch = random_batch(vocabulary, 8, rng);
        trainer.step([&] { return model.loss(batch, rng); });
        if (step == 1000) after_1000 = peak_rss_mb();
    }
    return {after_1000, peak_rss_mb()};
}

void check_no_growth(const char* name, const std::pair<double, double>& peaks) {
    std::printf("%s: peak RSS %.1f MB after step 1,000, %.1f MB after step 10,000\n", name, peaks.first, peaks.second);
    if (!measuring) return;
    // Allowance 1 MB: glibc may map a new arena page or two as batch shapes vary; a leak of even
    // one 64x64 float32 matrix (16 KB) a step would add 140 MB.
    CHECK(peaks.second - peaks.first <= 1.0);
}

}  // namespace

TEST_CASE("memory: 10,000 training steps of chapter 2's Bahdanau model do not grow the process") {
    configure_runtime(1);  // as the executables run: BLAS threads and allocator settings
    Rng rng(1);
    ch02::Config config;
    config.embedding = 8;
    config.hidden = config.attention = 16;
    config.dropout = 0.1f;  // so dropout masks are made and freed every step too
    ch02::Bahdanau model(40, 40, config, rng);
    check_no_growth("chapter 2", peaks_over_training(model, 40, rng));
}

TEST_CASE("memory: 10,000 training steps of chapter 5's Transformer do not grow the process") {
    configure_runtime(1);
    Rng rng(2);
    ch05::Config config;
    config.d_model = 16;
    config.heads = 2;
    config.d_ff = 32;
    config.layers = 1;
    ch05::Transformer model(40, 40, config, rng);
    check_no_growth("chapter 5", peaks_over_training(model, 40, rng));
}
