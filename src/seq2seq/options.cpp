// The seq2seq chapters' shared command line (see attn/seq2seq/options.hpp).
#include "attn/seq2seq/options.hpp"

#include <cstdio>

#include "attn/seq2seq/training.hpp"
#include "attn/support/runtime.hpp"
#include "attn/train/command_line.hpp"

namespace attn {

void add_seq2seq_options(CommandLine& cli, Seq2SeqOptions& options) {
    cli.option("--task", options.task, "dates, toy, copy, reverse, sort, tatoeba (English-French), bible (English-Spanish), or a source<TAB>target file (Tatoeba format)");
    cli.option("--datasets", options.datasets, "the datasets/ folder");
    cli.option("--max-train", options.max_train, "train on the first N examples only (0 = all)");
    add_training_options(cli, options.train, options.learning_rate, "sentences");
    cli.option("--seed", options.seed, "random seed: initial weights, batch order, dropout");
    cli.option("--out", options.out, "folder for metrics.json, loss.svg, checkpoint/, best/ and (models that attend) heatmaps/ (default: out/" +
                                     options.chapter + "/<task>)");
    cli.option("--beam", options.beam, "beam width for test decoding (1 = greedy only)").range(1, 64);
    cli.option("--examples", options.examples, "test sentences to show (and draw heatmaps for)").range(0, 1000);
    cli.option("--threads", options.threads, "BLAS threads (1 is fastest for these sizes)").range(1, 256);
}

void apply_seq2seq_options(Seq2SeqOptions& options) {
    configure_runtime(options.threads);
    set_constant_learning_rate(options.train, options.learning_rate);
    options.train.folder = options.out.empty() ? "out/" + options.chapter + "/" + task_folder_name(options.task) : options.out;
}

Seq2SeqData load_and_describe(const Seq2SeqOptions& options) {
    Seq2SeqData data = load_seq2seq_data(options.task, options.datasets, options.max_train, options.seed);
    std::printf("task %s: %zu / %zu / %zu examples (train / valid / test), vocabularies %zu -> %zu\n", data.task.c_str(),
                data.train.size(), data.valid.size(), data.test.size(), data.source_vocabulary.size(),
                data.target_vocabulary.size());
    return data;
}

TrainReport train_and_describe(Seq2SeqModel& model, const Seq2SeqData& data, const Seq2SeqOptions& options, Rng& rng) {
    const TrainReport training = train_seq2seq(model, data, options.train, rng);
    std::printf("trained %d epochs in %.1f s%s; best validation loss %.4f after epoch %d (the model tested)\n",
                training.epochs_done, training.seconds,
                training.stopped_by_budget ? " (stopped by --budget)" : training.stopped_early ? " (stopped early: --patience)" : "",
                training.best().loss, training.best_epoch);
    return training;
}


}  // namespace attn
