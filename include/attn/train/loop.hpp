// attn/train/loop.hpp — the one training loop every chapter uses, and the one training step.
//
// A chapter says only what differs (a TrainingTask: its batches, its loss, its validation); the
// loop does the rest, the same way for every model:
//
//   for each epoch (or until the time budget runs out):
//       for each batch:  record the loss, backward, clip, learning rate of this step, Adam, zero
//       validate; remember the best epoch (and its parameters); write checkpoint/ and best/
//       stop early after `patience` epochs without a better validation score
//   load the best epoch's parameters into the model
//
// Checkpoints (attn/train/checkpoint.hpp) in the run folder:
//   checkpoint/   the last epoch: parameters, optimiser, random generator, the losses so far —
//                 `resume` continues from it exactly, bit for bit (tests/resume_after_kill.sh)
//   best/         the parameters of the epoch with the best validation score
// best/ is written before checkpoint/, so a run killed between the two resumes into an epoch whose
// recomputation writes the same best/ again.
#pragma once

#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "attn/nn/module.hpp"
#include "attn/random.hpp"
#include "attn/support/viz.hpp"
#include "attn/train/checkpoint.hpp"
#include "attn/train/optim.hpp"

namespace attn {

struct TrainOptions {
    int epochs = 10;
    std::size_t batch_size = 64;
    /// The learning rate of every step (a constant, warm-up and decay, ...): one object, asked
    /// for the rate of step n = 1, 2, ...
    std::shared_ptr<const Schedule> learning_rate = std::make_shared<ConstantSchedule>(real(1e-3));
    double clip = 5.0;                  // global gradient-norm clip (0 = none)
    double beta1 = 0.9, beta2 = 0.999;  // Adam
    double adam_eps = 1e-8;
    double budget_seconds = 0;          // stop after this much training time (0 = no limit)
    int patience = 0;                   // stop after this many epochs without a better validation score (0 = never)
    std::string folder;                 // the run folder: checkpoint/, best/, loss.svg ("" = write nothing)
    bool resume = false;                // continue from folder/checkpoint
    bool overwrite = false;             // start afresh in a folder that holds a run (RunFolder removes its checkpoints)
    /// What the parameters mean (the vocabularies, ...): saved in checkpoint/ and best/, and a
    /// resume refuses a checkpoint whose identity differs (attn/train/checkpoint.hpp).
    Identity identity;
    /// With resume, start afresh when the folder has no checkpoint yet instead of refusing: for the
    /// later models of a run that trains several one after the other and was stopped before them.
    bool start_if_no_checkpoint = false;
    bool progress = true;               // the progress line
    std::string unit = "tok";           // what the progress line counts per second
    /// A horizontal line drawn in loss.svg: the lowest loss the training targets allow (label
    /// smoothing puts one above 0), with its legend. NaN = none.
    double loss_floor = std::numeric_limits<double>::quiet_NaN();
    std::string loss_floor_label = "lowest possible loss";
};

/// One optimisation step, the same in the loop, the benchmark and the tests: records `loss` on a
/// fresh tape, runs backward, clips the global gradient norm, sets the learning rate of this step,
/// updates with Adam and forgets the gradients.
class Trainer {
public:
    Trainer(Module& model, const TrainOptions& options);
    /// Returns the loss value of the step.
    double step(const std::function<Tensor()>& loss);

    Adam optimizer;

private:
    std::vector<NamedParameter> parameters_;
    std::shared_ptr<const Schedule> learning_rate_;
    double clip_;
};

/// A batch's loss and its weight in the epoch's mean (its tokens, its documents).
struct WeightedLoss {
    Tensor loss;  // () scalar, the batch mean
    double weight = 1;
};

/// The model on the validation set. "Best" means the highest accuracy when there is one (ties:
/// the lower loss), otherwise the lowest loss.
struct Validation {
    double loss = 0;
    double accuracy = std::numeric_limits<double>::quiet_NaN();
    /// True when this is strictly better than `other`.
    bool better_than(const Validation& other) const;
};

/// What a chapter gives the loop: everything that depends on its data and its model.
class TrainingTask {
public:
    virtual ~TrainingTask() = default;
    /// The batches of one epoch, as lists of training-example indices (shuffled with rng).
    virtual std::vector<std::vector<std::size_t>> epoch(std::size_t batch_size, Rng& rng) const = 0;
    /// The loss of one batch, recorded on the active tape (rng: dropout).
    virtual WeightedLoss loss(const std::vector<std::size_t>& batch, Rng& rng) const = 0;
    /// The model on the validation set; the loop has switched it to evaluation mode and off the tape.
    virtual Validation validate() const = 0;
};

struct TrainReport {
    std::vector<double> train_loss;           // per epoch, weighted mean over the epoch's batches
    std::vector<double> step_loss;            // every step's batch loss, in order
    std::vector<std::size_t> steps_in_epoch;  // how many of step_loss each epoch took (budget: the last may be short)
    std::vector<Validation> validation;       // per epoch
    int epochs_done = 0;
    int best_epoch = 0;                       // the epoch whose parameters the model holds at the end
    double seconds = 0;                       // training time, this run and resumed ones together
    bool stopped_by_budget = false, stopped_early = false;
    std::vector<double> valid_loss() const;
    std::vector<double> valid_accuracy() const;
    const Validation& best() const { return validation.at(std::size_t(best_epoch - 1)); }
};

/// The training loss of every step, smoothed (the mean of the last max(1, steps / 50) steps), at its
/// fractional epoch (step k of an epoch of n steps at epoch - 1 + k/n): the thin line of loss.svg.
Series smoothed_step_loss(const TrainReport& report);

/// The report of the run whose checkpoint is in `checkpoint_dir` (losses per step and epoch,
/// validation, best epoch), read from its metadata, without a model: for plots across runs.
TrainReport read_training_report(const std::string& checkpoint_dir);

/// Trains `model` on `task` (see the top of this file). At the end the model holds the best
/// epoch's parameters. Throws std::invalid_argument for bad options, std::runtime_error for an
/// unwritable folder or a checkpoint that does not fit.
TrainReport train(Module& model, const TrainingTask& task, const TrainOptions& options, Rng& rng);

}  // namespace attn
