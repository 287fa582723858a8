// attn/train/command_line.hpp — the training loop's options on an executable's command line, the
// same flags and help in every chapter.
#pragma once

#include <string>

#include "attn/support/cli.hpp"
#include "attn/train/loop.hpp"

namespace attn {

/// --epochs --batch --lr --clip --budget --patience --resume --overwrite, into `options` (and `learning_rate`,
/// which becomes a constant schedule in constant_learning_rate). `examples` names what a batch
/// holds in the help text ("sentences", "documents").
void add_training_options(CommandLine& cli, TrainOptions& options, double& learning_rate, const std::string& examples);

/// Makes `learning_rate` the schedule of every step.
void set_constant_learning_rate(TrainOptions& options, double learning_rate);

}  // namespace attn
