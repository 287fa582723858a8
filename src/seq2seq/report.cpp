// What the seq2seq chapters show after training (see attn/seq2seq/report.hpp).
#include "attn/seq2seq/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "attn/support/io.hpp"
#include "attn/support/run_page.hpp"
#include "attn/support/viz.hpp"

namespace attn {

namespace {

void print_metrics(const char* label, const Evaluation& e) {
    std::printf("%-22s exact match %6.2f%%   BLEU %6.2f   token accuracy %6.2f%%", label, 100 * e.exact_match, 100 * e.bleu,
                100 * e.token_accuracy);
    if (!std::isnan(e.aer)) std::printf("   AER %.3f", e.aer);
    if (!std::isnan(e.aer) && !std::isnan(e.aer_diagonal)) std::printf(" (baselines: diagonal %.3f, uniform %.3f)", e.aer_diagonal, e.aer_uniform);
    std::printf("\n");
}

JsonObject metrics_of(const Evaluation& e) {
    JsonObject j;
    j.add("exact_match", e.exact_match).add("bleu", e.bleu).add("token_accuracy", e.token_accuracy).add("aer", e.aer);
    if (!std::isnan(e.aer_diagonal)) j.add("aer_diagonal", e.aer_diagonal).add("aer_uniform", e.aer_uniform);
    return j;
}

}  // namespace

Evaluation report_seq2seq(Seq2SeqModel& model, const Seq2SeqData& data, const Seq2SeqOptions& options,
                          const TrainReport& training, const std::string& model_name, const JsonObject& settings) {
    std::printf("\n== test set: %zu examples ==\n", data.test.size());
    const Evaluation greedy = evaluate(model, data.test, data, 1);
    print_metrics("greedy decoding", greedy);
    JsonObject metrics;
    metrics.add("model", model_name).add("task", data.task).add("seed", options.seed)
        .add("parameters", long(model.parameter_count())).add("train_examples", long(data.train.size()))
        .add("epochs", long(training.epochs_done)).add("best_epoch", long(training.best_epoch))
        .add("stopped_by_budget", training.stopped_by_budget ? "yes" : "no")
        .add("stopped_early", training.stopped_early ? "yes" : "no")
        .add("train_loss", training.train_loss).add("valid_loss", training.valid_loss())
        .add("greedy", metrics_of(greedy)).add("settings", settings);
    Evaluation beam;  // its translations stay empty when options.beam == 1
    if (options.beam > 1) {
        beam = evaluate(model, data.test, data, options.beam);
        char label[32];
        std::snprintf(label, sizeof label, "beam search (k = %zu)", options.beam);
        print_metrics(label, beam);
        metrics.add("beam_width", long(options.beam)).add("beam", metrics_of(beam));
    }

    // BLEU by source length, for the word-level tasks without length buckets (the real languages)
    if (data.test_buckets.empty() && !data.characters) {
        const std::size_t width = 5;
        const std::vector<LengthGroup> groups = by_source_length(data.test, greedy.translations, width);
        const std::vector<LengthGroup> beam_groups =
            beam.translations.empty() ? std::vector<LengthGroup>{} : by_source_length(data.test, beam.translations, width);
        std::printf("\n%-8s %9s %11s %15s%s\n", "length", "sentences", "BLEU greedy", "token accuracy",
                    beam_groups.empty() ? "" : "   BLEU beam");
        std::string table = std::string("from\tto\tsentences\tbleu\ttoken_accuracy") + (beam_groups.empty() ? "" : "\tbleu_beam") + "\n";
        JsonObject by_length;
        for (std::size_t g = 0; g < groups.size(); ++g) {
            const LengthGroup& e = groups[g];
            const std::string range = std::to_string(e.from) + "-" + std::to_string(e.to);
            std::printf("%-8s %9zu %11.2f %14.1f%%", range.c_str(), e.sentences, 100 * e.bleu, 100 * e.token_accuracy);
            table += std::to_string(e.from) + "\t" + std::to_string(e.to) + "\t" + std::to_string(e.sentences) + "\t" +
                     std::to_string(e.bleu) + "\t" + std::to_string(e.token_accuracy);
            JsonObject row;
            row.add("sentences", long(e.sentences)).add("bleu", e.bleu).add("token_accuracy", e.token_accuracy);
            if (!beam_groups.empty()) {  // the same sentences, so the same groups
                std::printf(" %12.2f", 100 * beam_groups[g].bleu);
                table += "\t" + std::to_string(beam_groups[g].bleu);
                row.add("bleu_beam", beam_groups[g].bleu);
            }
            std::printf("\n");
            table += "\n";
            by_length.add(range, row);
        }
        metrics.add("bleu_by_length", by_length);
        if (!options.train.folder.empty()) write_file_atomically(options.train.folder + "/bleu_by_length.tsv", table);
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
        if (!options.train.folder.empty()) write_file_atomically(options.train.folder + "/buckets.tsv", table);
    }

    // a few examples, with their attention
    for (std::size_t i = 0; i < std::min(options.examples, data.test.size()); ++i) {
        const Seq2SeqExample& e = data.test[i];
        const Translation& t = greedy.translations[i];
        std::printf("\nsource:    %s\nreference: %s\noutput:    %s\n", detokenize(e.source, data.characters).c_str(),
                    detokenize(e.target, data.characters).c_str(), detokenize(t.output, data.characters).c_str());
        if (t.attention.empty() || t.output.empty()) continue;
        Tokens rows = t.output;
        if (t.attention.size() > rows.size()) rows.push_back("<eos>");
        const Matrix weights(t.attention.begin(), t.attention.begin() + long(rows.size()));
        if (i == 0) std::printf("\nattention (rows: output, columns: source):\n%s", attention_terminal(weights, rows, e.source).c_str());
        if (!options.train.folder.empty()) {
            HeatmapText text;
            text.title = "source: " + detokenize(e.source, data.characters);
            text.subtitle = "model output: " + detokenize(t.output, data.characters) + "   (reference: " +
                            detokenize(e.target, data.characters) + ")";
            write_file_atomically(options.train.folder + "/heatmaps/example_" + std::to_string(i) + ".svg",
                                  attention_svg(weights, rows, e.source, text));
        }
    }
    if (!options.train.folder.empty()) {
        // metrics.json depends only on the seed and the options (same seed, same file); times go apart.
        write_file_atomically(options.train.folder + "/metrics.json", metrics.str() + "\n");
        const double per_epoch = training.epochs_done > 0 ? training.seconds / training.epochs_done : 0;
        JsonObject timing;
        timing.add("train_seconds", training.seconds).add("seconds_per_epoch", per_epoch);
        write_file_atomically(options.train.folder + "/timing.json", timing.str() + "\n");
        char line[512];
        std::snprintf(line, sizeof line, "%s\t%s\t%d\t%.1f\t%.2f\t%.4f\t%.4f\t%.4f\t%.4f\t%zu\t%d\n", model_name.c_str(),
                      data.task.c_str(), training.epochs_done, per_epoch, training.seconds, greedy.exact_match, greedy.bleu,
                      greedy.token_accuracy, greedy.aer, model.parameter_count(), training.best_epoch);
        write_file_atomically(options.train.folder + "/summary.tsv",
                              "model\ttask\tepochs\tseconds_per_epoch\ttrain_seconds\texact_match\tbleu\ttoken_accuracy\taer\tparameters\tbest_epoch\n" +
                                  std::string(line));
        const bool attends = !greedy.translations.empty() && !greedy.translations[0].attention.empty();
        std::printf("\nwrote %s/metrics.json, timing.json, loss.svg%s, checkpoint/ and best/\n", options.train.folder.c_str(), attends ? ", heatmaps/" : "");
        std::printf("all on one page: %s\n", write_run_page(options.train.folder, "attn " + options.chapter + ": " + model_name + " on " + data.task, metrics).c_str());
    }
    return greedy;
}

}  // namespace attn
