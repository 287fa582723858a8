// Command-line options and the after-training report of the seq2seq chapters.
#include "attn/seq2seq_run.hpp"

#include <cmath>
#include <cstdio>

#include "attn/io.hpp"
#include "attn/ops.hpp"
#include "attn/runtime.hpp"
#include "attn/viz.hpp"

namespace attn {

void add_seq2seq_options(CommandLine& cli, Seq2SeqRun& run) {
    cli.option("--task", run.task, "dates, toy, copy, reverse, sort, or a source<TAB>target file (Tatoeba format)");
    cli.option("--datasets", run.datasets, "the datasets/ folder");
    cli.option("--max-train", run.max_train, "train on the first N examples only (0 = all)");
    cli.option("--epochs", run.train.epochs, "training epochs").at_least(1);
    cli.option("--batch", run.train.batch_size, "sentences per batch").at_least(1);
    cli.option("--lr", run.train.learning_rate, "Adam learning rate").range(1e-7, 1);
    cli.option("--clip", run.train.clip, "clip the global gradient norm to this").range(1e-6, 1e6);
    cli.option("--budget", run.train.budget_seconds, "stop training after this many seconds (0 = no limit)").at_least(0);
    cli.option("--seed", run.seed, "random seed: initial weights, batch order, dropout");
    cli.option("--out", run.train.out, "folder for metrics.json, loss.svg, heatmaps/ and checkpoint/");
    cli.flag("--resume", run.train.resume, "continue from --out's checkpoint");
    cli.option("--beam", run.beam, "beam width for test decoding (1 = greedy only)").range(1, 64);
    cli.option("--examples", run.examples, "test sentences to show (and draw heatmaps for)").range(0, 1000);
    cli.option("--threads", run.threads, "BLAS threads (1 is fastest for these sizes)").range(1, 256);
}

void apply_threads(const Seq2SeqRun& run) { configure_runtime(run.threads); }

Seq2SeqData load_and_describe(const Seq2SeqRun& run) {
    Seq2SeqData data = load_seq2seq_data(run.task, run.datasets, run.max_train, run.seed);
    std::printf("task %s: %zu / %zu / %zu examples (train / valid / test), vocabularies %zu -> %zu\n", data.task.c_str(),
                data.train.size(), data.valid.size(), data.test.size(), data.source_vocabulary.size(),
                data.target_vocabulary.size());
    return data;
}

TrainReport train_and_describe(Seq2SeqModel& model, const Seq2SeqData& data, const Seq2SeqRun& run, Rng& rng) {
    const TrainReport training = train_seq2seq(model, data, run.train, rng);
    std::printf("trained %d epochs in %.1f s%s; validation loss %.4f\n", training.epochs_done, training.seconds,
                training.stopped_by_budget ? " (stopped by --budget)" : "",
                training.valid_loss.empty() ? 0.0 : training.valid_loss.back());
    return training;
}

namespace {

void print_metrics(const char* label, const Evaluation& e) {
    std::printf("%-22s exact match %6.2f%%   BLEU %6.2f   token accuracy %6.2f%%", label, 100 * e.exact_match, 100 * e.bleu,
                100 * e.token_accuracy);
    if (!std::isnan(e.aer)) std::printf("   AER %.3f", e.aer);
    std::printf("\n");
}

JsonObject metrics_of(const Evaluation& e) {
    JsonObject j;
    j.add("exact_match", e.exact_match).add("bleu", e.bleu).add("token_accuracy", e.token_accuracy).add("aer", e.aer);
    return j;
}

}  // namespace

Evaluation report_seq2seq(Seq2SeqModel& model, const Seq2SeqData& data, const Seq2SeqRun& run,
                          const TrainReport& training, const std::string& model_name, const JsonObject& extra) {
    std::printf("\n== test set: %zu examples ==\n", data.test.size());
    const Evaluation greedy = evaluate(model, data.test, data, 1);
    print_metrics("greedy decoding", greedy);
    JsonObject metrics;
    metrics.add("model", model_name).add("task", data.task).add("seed", long(run.seed))
        .add("parameters", long(model.parameter_count())).add("train_examples", long(data.train.size()))
        .add("epochs", long(training.epochs_done))
        .add("stopped_by_budget", training.stopped_by_budget ? "yes" : "no")
        .add("train_loss", training.train_loss).add("valid_loss", training.valid_loss)
        .add("greedy", metrics_of(greedy)).add("settings", extra);
    if (run.beam > 1) {
        const Evaluation beam = evaluate(model, data.test, data, run.beam);
        char label[32];
        std::snprintf(label, sizeof label, "beam search (k = %zu)", run.beam);
        print_metrics(label, beam);
        metrics.add("beam_width", long(run.beam)).add("beam", metrics_of(beam));
    }

    // accuracy by source length, for the bucketed sequence tasks
    if (!data.test_buckets.empty()) {
        std::printf("\n%-8s %12s %15s\n", "length", "exact match", "token accuracy");
        std::string table = "bucket\texact_match\ttoken_accuracy\n";
        JsonObject buckets;
        for (std::size_t b = 0; b < data.test_buckets.size(); ++b) {
            const Evaluation e = evaluate(model, data.test_buckets[b], data, 1);
            std::printf("%-8s %11.1f%% %14.1f%%\n", data.bucket_names[b].c_str(), 100 * e.exact_match, 100 * e.token_accuracy);
            table += data.bucket_names[b] + "\t" + std::to_string(e.exact_match) + "\t" + std::to_string(e.token_accuracy) + "\n";
            buckets.add(data.bucket_names[b], metrics_of(e));
        }
        metrics.add("by_length", buckets);
        if (!run.train.out.empty()) write_file_atomically(run.train.out + "/buckets.tsv", table);
    }

    // a few examples, with their attention
    for (std::size_t i = 0; i < std::min(run.examples, data.test.size()); ++i) {
        const Seq2SeqExample& e = data.test[i];
        const Translation& t = greedy.translations[i];
        std::printf("\nsource:    %s\nreference: %s\noutput:    %s\n", detokenize(e.source, data.characters).c_str(),
                    detokenize(e.target, data.characters).c_str(), detokenize(t.output, data.characters).c_str());
        if (t.attention.empty() || t.output.empty()) continue;
        Tokens rows = t.output;
        if (t.attention.size() > rows.size()) rows.push_back("<eos>");
        const Matrix weights(t.attention.begin(), t.attention.begin() + long(rows.size()));
        if (i == 0) std::printf("\nattention (rows: output, columns: source):\n%s", attention_terminal(weights, rows, e.source).c_str());
        if (!run.train.out.empty()) {
            write_file_atomically(run.train.out + "/heatmaps/example_" + std::to_string(i) + ".svg",
                                  attention_svg(weights, rows, e.source, detokenize(e.source, data.characters)));
        }
    }
    if (!run.train.out.empty()) {
        // metrics.json depends only on the seed and the options (same seed, same file); times go apart.
        write_file_atomically(run.train.out + "/metrics.json", metrics.str() + "\n");
        const double per_epoch = training.epochs_done > 0 ? training.seconds / training.epochs_done : 0;
        JsonObject timing;
        timing.add("train_seconds", training.seconds).add("seconds_per_epoch", per_epoch);
        write_file_atomically(run.train.out + "/timing.json", timing.str() + "\n");
        char line[512];
        std::snprintf(line, sizeof line, "%s\t%s\t%d\t%.1f\t%.2f\t%.4f\t%.4f\t%.4f\t%.4f\t%zu\n", model_name.c_str(), data.task.c_str(),
                      training.epochs_done, per_epoch, training.seconds, greedy.exact_match, greedy.bleu, greedy.token_accuracy, greedy.aer,
                      model.parameter_count());
        write_file_atomically(run.train.out + "/summary.tsv",
                              "model\ttask\tepochs\tseconds_per_epoch\ttrain_seconds\texact_match\tbleu\ttoken_accuracy\taer\tparameters\n" +
                                  std::string(line));
        const bool attends = !greedy.translations.empty() && !greedy.translations[0].attention.empty();
        std::printf("\nwrote %s/metrics.json, timing.json, loss.svg%s and checkpoint/\n", run.train.out.c_str(), attends ? ", heatmaps/" : "");
    }
    return greedy;
}

}  // namespace attn
