// The training loop's command-line options (see attn/train/command_line.hpp).
#include "attn/train/command_line.hpp"

namespace attn {

void add_training_options(CommandLine& cli, TrainOptions& options, double& learning_rate, const std::string& examples) {
    cli.option("--epochs", options.epochs, "training epochs").at_least(1);
    cli.option("--batch", options.batch_size, examples + " per batch").at_least(1);
    cli.option("--lr", learning_rate, "Adam learning rate").range(1e-7, 1);
    cli.option("--clip", options.clip, "clip the global gradient norm to this").range(1e-6, 1e6);
    cli.option("--budget", options.budget_seconds, "stop training after this many seconds (0 = no limit)").at_least(0);
    cli.option("--patience", options.patience, "stop after this many epochs without a better validation score (0 = never)").at_least(0);
    cli.flag("--resume", options.resume, "continue from the run folder's checkpoint/");
    cli.flag("--overwrite", options.overwrite, "start afresh in a run folder that holds an earlier run (its checkpoints are removed)");
}

void set_constant_learning_rate(TrainOptions& options, double learning_rate) {
    options.learning_rate = std::make_shared<ConstantSchedule>(real(learning_rate));
}

}  // namespace attn
