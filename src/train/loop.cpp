// The training loop and the training step (see attn/train/loop.hpp).
#include "attn/train/loop.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "attn/support/io.hpp"
#include "attn/support/signals.hpp"
#include "attn/support/viz.hpp"
#include "attn/tape.hpp"
#include "attn/train/checkpoint.hpp"
#include "attn/train/progress.hpp"

namespace attn {

// ---- the step -------------------------------------------------------------------------------------

Trainer::Trainer(Module& model, const TrainOptions& options)
    : optimizer(model.parameters(), real(0), real(options.beta1), real(options.beta2), real(options.adam_eps)),
      parameters_(model.parameters()),
      learning_rate_(options.learning_rate),
      clip_(options.clip) {
    if (!learning_rate_) throw std::invalid_argument("training needs a learning-rate schedule");
    if (clip_ < 0) throw std::invalid_argument("the gradient clip must be >= 0 (0 = none), got " + std::to_string(clip_));
}

double Trainer::step(const std::function<Tensor()>& loss) {
    Tape tape;
    double value;
    {
        Recording on(tape);
        const Tensor l = loss();  // () scalar
        tape.backward(l);
        value = l.item();
    }
    if (clip_ > 0) clip_grad_norm(parameters_, clip_);
    optimizer.learning_rate = learning_rate_->rate(optimizer.steps_taken + 1);
    optimizer.step();
    optimizer.zero_grad();
    return value;
}

// ---- validation and the report ----------------------------------------------------------------------

bool Validation::better_than(const Validation& other) const {
    if (!std::isnan(accuracy) && !std::isnan(other.accuracy) && accuracy != other.accuracy) return accuracy > other.accuracy;
    return loss < other.loss;
}

std::vector<double> TrainReport::valid_loss() const {
    std::vector<double> out;
    for (const Validation& v : validation) out.push_back(v.loss);
    return out;
}

std::vector<double> TrainReport::valid_accuracy() const {
    std::vector<double> out;
    for (const Validation& v : validation) out.push_back(v.accuracy);
    return out;
}

namespace {

using clock = std::chrono::steady_clock;

/// Numbers for the checkpoint's metadata: 17 significant digits, so they read back bit for bit.
std::string numbers(const std::vector<double>& values) {
    std::ostringstream out;
    out.precision(17);
    for (std::size_t i = 0; i < values.size(); ++i) out << (i ? " " : "") << values[i];
    return out.str();
}

/// The inverse of numbers() ("nan" included).
std::vector<double> parse_numbers(const std::string& text, const std::string& what) {
    std::vector<double> values;
    std::istringstream in(text);
    for (std::string word; in >> word;) {
        char* end = nullptr;
        values.push_back(std::strtod(word.c_str(), &end));
        if (end == word.c_str() || *end != '\0') throw std::runtime_error("checkpoint: '" + what + "' holds a non-number '" + word + "'");
    }
    return values;
}

const std::string& entry(const Metadata& meta, const std::string& key, const std::string& dir) {
    const auto it = meta.find(key);
    if (it == meta.end()) throw std::runtime_error(dir + ": the checkpoint's manifest has no '" + key + "' (not written by this training loop?)");
    return it->second;
}

std::vector<Tensor> values_of(const std::vector<NamedParameter>& parameters) {
    std::vector<Tensor> out;
    for (const NamedParameter& p : parameters) out.push_back(p.tensor->detach());  // a copy of the value
    return out;
}

void set_values(const std::vector<NamedParameter>& parameters, const std::vector<Tensor>& values) {
    for (std::size_t k = 0; k < parameters.size(); ++k) std::copy(values[k].data(), values[k].data() + values[k].size(), parameters[k].tensor->data());
}

/// Every step's loss goes into the manifest in lines of at most this many numbers ("step_loss.0",
/// "step_loss.1", ...): a manifest line is a text line, capped at 1 MiB (attn/data/lines.hpp),
/// and a long run has hundreds of thousands of steps.
constexpr std::size_t step_losses_per_line = 10000;

Metadata metadata_of(const TrainReport& report) {
    Metadata meta{{"epoch", std::to_string(report.epochs_done)},
                  {"best_epoch", std::to_string(report.best_epoch)},
                  {"seconds", numbers({report.seconds})},
                  {"train_loss", numbers(report.train_loss)},
                  {"steps_in_epoch", numbers(std::vector<double>(report.steps_in_epoch.begin(), report.steps_in_epoch.end()))},
                  {"valid_loss", numbers(report.valid_loss())},
                  {"valid_accuracy", numbers(report.valid_accuracy())}};
    for (std::size_t from = 0, line = 0; from < report.step_loss.size(); from += step_losses_per_line, ++line) {
        const auto begin = report.step_loss.begin() + long(from);
        const auto end = report.step_loss.begin() + long(std::min(report.step_loss.size(), from + step_losses_per_line));
        meta["step_loss." + std::to_string(line)] = numbers(std::vector<double>(begin, end));
    }
    return meta;
}

/// Restores the report from the last checkpoint's metadata.
TrainReport report_of(const Metadata& meta, const std::string& dir) {
    TrainReport report;
    report.epochs_done = std::atoi(entry(meta, "epoch", dir).c_str());
    report.best_epoch = std::atoi(entry(meta, "best_epoch", dir).c_str());
    report.seconds = parse_numbers(entry(meta, "seconds", dir), "seconds").at(0);
    report.train_loss = parse_numbers(entry(meta, "train_loss", dir), "train_loss");
    const std::vector<double> loss = parse_numbers(entry(meta, "valid_loss", dir), "valid_loss");
    const std::vector<double> accuracy = parse_numbers(entry(meta, "valid_accuracy", dir), "valid_accuracy");
    for (std::size_t line = 0; meta.count("step_loss." + std::to_string(line)) > 0; ++line) {
        const std::string key = "step_loss." + std::to_string(line);
        const std::vector<double> losses = parse_numbers(meta.at(key), key);
        report.step_loss.insert(report.step_loss.end(), losses.begin(), losses.end());
    }
    std::size_t steps = 0;
    for (const double k : parse_numbers(entry(meta, "steps_in_epoch", dir), "steps_in_epoch")) {
        if (!(k >= 0 && k == std::floor(k))) throw std::runtime_error(dir + ": the checkpoint's 'steps_in_epoch' holds a non-count");
        report.steps_in_epoch.push_back(std::size_t(k));
        steps += std::size_t(k);
    }
    const std::size_t n = std::size_t(report.epochs_done);
    if (report.steps_in_epoch.size() != n || steps != report.step_loss.size() || report.train_loss.size() != n ||
        loss.size() != n || accuracy.size() != n || report.best_epoch < 1 || report.best_epoch > report.epochs_done) {
        throw std::runtime_error(dir + ": the checkpoint's manifest is inconsistent (epochs, losses and best epoch disagree)");
    }
    for (std::size_t e = 0; e < n; ++e) report.validation.push_back({loss[e], accuracy[e]});
    return report;
}

/// loss.svg: the smoothed training loss of every step; the epoch means of training and validation
/// at the end of each epoch; and the loss floor when the options give one.
void write_loss_curve(const std::string& folder, const TrainReport& report, const TrainOptions& options) {
    const Series steps = smoothed_step_loss(report);
    Series train{"train, per epoch", {}}, valid{"validation, per epoch", {}};
    for (std::size_t e = 0; e < report.steps_in_epoch.size(); ++e) {
        const std::size_t n = report.steps_in_epoch[e];
        const double full = double(std::max(n, report.steps_in_epoch.front()));  // a budget-cut epoch: the share it reached
        train.points.emplace_back(double(e) + double(n) / full, report.train_loss[e]);
        valid.points.emplace_back(double(e) + double(n) / full, report.validation[e].loss);
    }
    std::vector<Series> all{steps, train, valid};
    if (std::isfinite(options.loss_floor) && !steps.points.empty()) {
        Series floor{options.loss_floor_label, {{0, options.loss_floor}, {steps.points.back().first, options.loss_floor}}};
        floor.markers = false;
        floor.dashed = true;
        all.push_back(floor);
    }
    write_file_atomically(folder + "/loss.svg", line_plot_svg(all, "loss", "epoch", "loss"));
}

Validation validate(Module& model, const TrainingTask& task) {
    NoRecording off;
    model.eval();
    const Validation v = task.validate();
    model.train();
    return v;
}

}  // namespace

Series smoothed_step_loss(const TrainReport& report) {
    const std::size_t window = std::max<std::size_t>(1, report.step_loss.size() / 50);
    Series steps{"train, per step (mean of " + std::to_string(window) + ")", {}};
    steps.markers = false;
    steps.width = 1;
    double running = 0;
    std::size_t k = 0;
    for (std::size_t e = 0; e < report.steps_in_epoch.size(); ++e) {
        const std::size_t n = report.steps_in_epoch[e];
        const double full = double(std::max(n, report.steps_in_epoch.front()));
        for (std::size_t i = 0; i < n && k < report.step_loss.size(); ++i, ++k) {
            running += report.step_loss[k];
            if (k >= window) running -= report.step_loss[k - window];
            steps.points.emplace_back(double(e) + double(i + 1) / full, running / double(std::min(k + 1, window)));
        }
    }
    return steps;
}

TrainReport read_training_report(const std::string& checkpoint_dir) {
    return report_of(read_checkpoint_metadata(checkpoint_dir), checkpoint_dir);
}

// ---- the loop ---------------------------------------------------------------------------------------

TrainReport train(Module& model, const TrainingTask& task, const TrainOptions& options, Rng& rng) {
    if (options.epochs < 1) throw std::invalid_argument("training needs at least 1 epoch, got " + std::to_string(options.epochs));
    if (options.batch_size < 1) throw std::invalid_argument("the batch size must be at least 1");
    if (options.patience < 0) throw std::invalid_argument("patience must be >= 0 (0 = never stop early)");
    if (!options.folder.empty()) ensure_writable_folder(options.folder);  // fail now, not after training
    const std::string last_dir = options.folder.empty() ? "" : options.folder + "/checkpoint";
    const std::string best_dir = options.folder.empty() ? "" : options.folder + "/best";
    const std::vector<NamedParameter> parameters = model.state();  // best/ keeps buffers (running statistics) too
    Trainer trainer(model, options);

    TrainReport report;
    std::vector<Tensor> best_values;  // the best epoch's parameters
    if (options.resume && !(options.start_if_no_checkpoint && !last_dir.empty() && !has_checkpoint(last_dir))) {
        if (last_dir.empty()) throw std::invalid_argument("--resume needs an output folder (--out)");
        report = report_of(load_checkpoint(last_dir, model, &trainer.optimizer, &rng, &options.identity), last_dir);
        const std::vector<Tensor> current = values_of(parameters);
        load_checkpoint(best_dir, model, nullptr, nullptr, &options.identity);
        best_values = values_of(parameters);
        set_values(parameters, current);
        report.stopped_early = options.patience > 0 && report.epochs_done - report.best_epoch >= options.patience;
        if (options.progress) std::printf("resumed from %s after epoch %d\n", last_dir.c_str(), report.epochs_done);
    }

    Rng scratch(0);  // counting the batches must not move the training generator
    const std::size_t batches_per_epoch = task.epoch(options.batch_size, scratch).size();
    Progress progress(long(batches_per_epoch) * std::max(0, options.epochs - report.epochs_done), options.unit);
    const double seconds_before = report.seconds;
    const clock::time_point start = clock::now();
    auto elapsed = [&] { return seconds_before + std::chrono::duration<double>(clock::now() - start).count(); };

    // SIGINT / SIGTERM (attn/support/signals.hpp) wait for the step or the checkpoint in progress,
    // then stop the run with a message that says which checkpoint holds the work.
    const DeferSignals between_steps;
    auto stop_if_asked = [&](int epoch, bool epoch_saved) {
        const int signal_number = take_stop_request();
        if (signal_number == 0) return;
        if (options.progress) progress.finish();
        const int last_saved = epoch_saved ? epoch : epoch - 1;
        std::string where = last_dir.empty() ? "nothing was saved (no output folder)"
                            : last_saved == 0 ? "no epoch had finished, so there is no checkpoint to resume: run again"
                                              : "the last good checkpoint is " + last_dir + " (after epoch " + std::to_string(last_saved) +
                                                    "): run again with --resume to continue from it";
        throw Interrupted(signal_number, "stopped by " + signal_name(signal_number) +
                                             (epoch_saved ? " after epoch " : " during epoch ") + std::to_string(epoch) + "; " + where);
    };
    model.train();
    for (int epoch = report.epochs_done + 1; epoch <= options.epochs && !report.stopped_early; ++epoch) {
        double epoch_loss = 0, epoch_weight = 0;
        std::size_t steps_this_epoch = 0;
        for (const std::vector<std::size_t>& batch : task.epoch(options.batch_size, rng)) {
            double weight = 0;
            const double value = trainer.step([&] {
                WeightedLoss l = task.loss(batch, rng);
                weight = l.weight;
                return l.loss;
            });
            epoch_loss += value * weight;
            epoch_weight += weight;
            report.step_loss.push_back(value);
            ++steps_this_epoch;
            if (options.progress) progress.step(epoch, value, long(weight));
            stop_if_asked(epoch, false);
            if (options.budget_seconds > 0 && elapsed() >= options.budget_seconds) {
                report.stopped_by_budget = true;
                break;
            }
        }
        report.train_loss.push_back(epoch_weight > 0 ? epoch_loss / epoch_weight : 0);
        report.steps_in_epoch.push_back(steps_this_epoch);
        report.validation.push_back(validate(model, task));
        report.epochs_done = epoch;
        report.seconds = elapsed();
        if (report.best_epoch == 0 || report.validation.back().better_than(report.best())) {
            report.best_epoch = epoch;
            best_values = values_of(parameters);
            if (!best_dir.empty()) save_checkpoint(best_dir, model, nullptr, nullptr, {{"epoch", std::to_string(epoch)}}, options.identity);
        }
        if (!last_dir.empty()) {
            save_checkpoint(last_dir, model, &trainer.optimizer, &rng, metadata_of(report), options.identity);
            write_loss_curve(options.folder, report, options);
        }
        report.stopped_early = options.patience > 0 && epoch - report.best_epoch >= options.patience;
        stop_if_asked(epoch, true);
        if (report.stopped_by_budget) break;
    }
    if (options.progress) progress.finish();
    set_values(parameters, best_values);
    return report;
}

}  // namespace attn
