// chapters/06_bert/fine_tuning.hpp — chapter 6's downstream task: fine-tuning a classifier of a
// verse's section from the pretrained encoder or from scratch, and the label-count curve's rows
// (curve.tsv, one per finished run, so a stopped run resumes after the last).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "model.hpp"
#include "verses.hpp"
#include "attn/data/batching.hpp"
#include "attn/data/lines.hpp"
#include "attn/support/io.hpp"
#include "attn/train/loop.hpp"

namespace ch06 {

// ---- Fine-tuning: which section is this verse from? --------------------------------------------------------------

inline ch06::Batch single_verses(const std::vector<Verse>& verses, const std::vector<std::size_t>& rows, std::size_t max_positions) {
    std::vector<ch06::Sequence> sequences;
    for (std::size_t i : rows) sequences.push_back(ch06::make_sequence(verses[i].pieces, {}, max_positions));
    return ch06::pad(sequences);
}

inline Ids sections_of(const std::vector<Verse>& verses, const std::vector<std::size_t>& rows) {
    std::vector<int> labels;
    for (std::size_t i : rows) labels.push_back(verses[i].section);
    return Ids(labels);
}

/// Loss and accuracy of the classifier on `verses` (evaluation mode, off the tape). The batches hold
/// verses of similar length, so little of the work is padding (a third of a fine-tuning run is this).
inline Validation evaluate(const ch06::Classifier& model, const std::vector<Verse>& verses, std::size_t max_positions) {
    NoRecording off;
    Rng unused(0);
    double loss = 0, right = 0;
    std::vector<std::size_t> lengths;
    for (const Verse& v : verses) lengths.push_back(v.pieces.size());
    for (const auto& rows : make_batches(lengths, 256, true, nullptr)) {
        const Tensor logits = model.forward(single_verses(verses, rows, max_positions), unused);  // (B, C)
        const Ids labels = sections_of(verses, rows);
        loss += double(cross_entropy(logits, labels).item()) * double(rows.size());
        const std::vector<real> v = logits.values();
        const std::size_t C = logits.shape(1);
        for (std::size_t b = 0; b < rows.size(); ++b) {
            const auto row = v.begin() + std::ptrdiff_t(b * C);
            right += int(std::max_element(row, row + std::ptrdiff_t(C)) - row) == labels.values[b];
        }
    }
    return {loss / double(verses.size()), right / double(verses.size())};
}

/// `steps` updates in `epochs` equal parts, cycling through the labelled verses in fresh
/// shuffles: the same number of updates whatever the number of labels.
class FineTuningTask : public TrainingTask {
public:
    FineTuningTask(const ch06::Classifier& model, const std::vector<Verse>& labelled, const std::vector<Verse>& valid,
                   std::size_t steps_per_epoch, std::size_t max_positions)
        : model_(model), labelled_(labelled), valid_(valid), steps_per_epoch_(steps_per_epoch), max_positions_(max_positions) {}

    std::vector<std::vector<std::size_t>> epoch(std::size_t batch_size, Rng& rng) const override {
        std::vector<std::size_t> order;
        while (order.size() < steps_per_epoch_ * batch_size) {
            for (const auto& b : make_batches(std::vector<std::size_t>(labelled_.size(), 1), labelled_.size(), false, &rng)) {
                order.insert(order.end(), b.begin(), b.end());
            }
        }
        std::vector<std::vector<std::size_t>> batches(steps_per_epoch_);
        for (std::size_t s = 0; s < steps_per_epoch_; ++s) {
            batches[s].assign(order.begin() + std::ptrdiff_t(s * batch_size), order.begin() + std::ptrdiff_t((s + 1) * batch_size));
        }
        return batches;
    }

    WeightedLoss loss(const std::vector<std::size_t>& rows, Rng& rng) const override {
        const Tensor logits = model_.forward(single_verses(labelled_, rows, max_positions_), rng);
        return {cross_entropy(logits, sections_of(labelled_, rows)), double(rows.size())};
    }

    Validation validate() const override { return evaluate(model_, valid_, max_positions_); }

private:
    const ch06::Classifier& model_;
    const std::vector<Verse>& labelled_;
    const std::vector<Verse>& valid_;
    std::size_t steps_per_epoch_, max_positions_;
};

struct FineTuning {
    std::size_t steps = 200, epochs = 4, batch = 32;
    /// Each start is fine-tuned at each of these peak rates and keeps the one with the best
    /// validation accuracy: a pretrained encoder wants a smaller rate than a fresh one (README).
    std::vector<double> learning_rates{1e-4, 3e-4, 1e-3};
    ch06::Pooling pooling = ch06::Pooling::mean;
    bool freeze = false;
};

struct CurvePoint {
    std::string init;  // "pretrained" or "scratch"
    std::size_t labels = 0;
    std::uint64_t seed = 0;
    double learning_rate = 0;  // the one chosen on the validation set
    double valid_accuracy = 0, test_accuracy = 0, seconds = 0;
};

/// Fine-tunes a classifier on `labels` verses drawn (with `seed`) from the pool, starting from the
/// pretrained encoder or from a fresh one; tested on the test chapters.
inline CurvePoint fine_tune(const Corpus& data, std::size_t vocabulary, const ch06::Config& config, ch06::Pretraining* pretrained,
                     std::size_t labels, std::uint64_t seed, const FineTuning& f) {
    Rng draw(seed * 1000003 + labels);  // the same labelled verses for both starts
    std::vector<std::size_t> pool(data.train.size());
    for (std::size_t i = 0; i < pool.size(); ++i) pool[i] = i;
    for (std::size_t k = 0; k < std::min(labels, pool.size()); ++k) std::swap(pool[k], pool[k + draw.below(pool.size() - k)]);
    std::vector<Verse> labelled;
    for (std::size_t k = 0; k < std::min(labels, pool.size()); ++k) labelled.push_back(data.train[pool[k]]);

    CurvePoint best;
    best.init = pretrained != nullptr ? "pretrained" : "scratch";
    best.labels = labelled.size();
    best.seed = seed;
    best.valid_accuracy = -1;
    for (double rate : f.learning_rates) {
        Rng rng(seed);  // the same initialisation and batches at every rate
        ch06::Classifier model(vocabulary, section_names.size(), config, f.pooling, rng);
        if (pretrained != nullptr) ch06::copy_encoder(pretrained->encoder, model.encoder);
        model.frozen = f.freeze;
        TrainOptions options;
        options.epochs = int(f.epochs);
        options.batch_size = f.batch;
        options.clip = 1.0;
        options.progress = false;
        options.learning_rate = std::make_shared<WarmupLinearDecay>(real(rate), long(f.steps / 10), long(f.steps));
        const FineTuningTask task(model, labelled, data.valid, std::max<std::size_t>(1, f.steps / f.epochs), config.max_positions);
        const TrainReport report = train(model, task, options, rng);  // the model ends at its best validation epoch
        best.seconds += report.seconds;
        if (report.best().accuracy > best.valid_accuracy) {
            model.eval();
            best.learning_rate = rate;
            best.valid_accuracy = report.best().accuracy;
            best.test_accuracy = evaluate(model, data.test, config.max_positions).accuracy;
        }
    }
    return best;
}

// ---- The curve: accuracy against the number of labels, a row per finished run (resumable) --------------------

inline std::string curve_row(const CurvePoint& p) {
    char row[200];
    std::snprintf(row, sizeof row, "%s\t%zu\t%llu\t%g\t%.4f\t%.4f\t%.1f\n", p.init.c_str(), p.labels, (unsigned long long)p.seed,
                  p.learning_rate, p.valid_accuracy, p.test_accuracy, p.seconds);
    return row;
}

inline std::vector<CurvePoint> read_curve(const std::string& path) {
    std::vector<CurvePoint> points;
    if (!std::filesystem::exists(path)) return points;
    const std::string text = read_text_file(path);
    Lines lines(text, path);
    std::string line;
    lines.next(line);  // the header
    while (lines.next(line)) {
        std::istringstream in(line);
        CurvePoint p;
        unsigned long long seed = 0;
        if (!(in >> p.init >> p.labels >> seed >> p.learning_rate >> p.valid_accuracy >> p.test_accuracy >> p.seconds)) {
            throw std::runtime_error(lines.where() + ": not a curve row (init, labels, seed, learning rate, valid, test, seconds)");
        }
        p.seed = seed;
        points.push_back(p);
    }
    return points;
}

/// Mean and sample standard deviation of the test accuracies of one (init, labels).
inline std::pair<double, double> mean_std(const std::vector<CurvePoint>& points, const std::string& init, std::size_t labels) {
    std::vector<double> v;
    for (const CurvePoint& p : points) if (p.init == init && p.labels == labels) v.push_back(p.test_accuracy);
    if (v.empty()) return {std::nan(""), std::nan("")};
    double m = 0, s = 0;
    for (double x : v) m += x / double(v.size());
    for (double x : v) s += (x - m) * (x - m);
    return {m, v.size() > 1 ? std::sqrt(s / double(v.size() - 1)) : 0.0};
}

}  // namespace ch06
