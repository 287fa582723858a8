// attn/seq2seq_run.hpp — what every sequence-to-sequence executable does around its model:
// the common command-line options, and the report after training (metrics printed and written to
// metrics.json, attention heatmaps, accuracy by length for the sequence tasks).
#pragma once

#include <string>

#include "attn/cli.hpp"
#include "attn/json.hpp"
#include "attn/seq2seq.hpp"

namespace attn {

struct Seq2SeqRun {
    std::string task = "dates";   // dates | toy | copy | reverse | sort | path/to/pairs.tsv
    std::string datasets;         // the datasets/ folder
    std::size_t max_train = 0;    // use only the first N training examples (0 = all)
    std::uint64_t seed = 1;
    std::size_t beam = 1;         // test decoding: 1 = greedy, k > 1 = beam search
    std::size_t examples = 3;     // heatmaps / printed translations
    int threads = 1;              // BLAS threads
    TrainOptions train;
};

/// --task --datasets --max-train --epochs --batch --lr --clip --budget --seed --out --resume --beam --examples
/// --threads (applied by parse: call apply_threads(run) after parsing)
void add_seq2seq_options(CommandLine& cli, Seq2SeqRun& run);

/// Applies run.threads to BLAS and configures the allocator (attn/runtime.hpp).
void apply_threads(const Seq2SeqRun& run);

/// Loads run.task and prints one line about it (sizes, vocabularies).
Seq2SeqData load_and_describe(const Seq2SeqRun& run);

/// train_seq2seq, then one line: epochs, seconds, final validation loss.
TrainReport train_and_describe(Seq2SeqModel& model, const Seq2SeqData& data, const Seq2SeqRun& run, Rng& rng);

/// Evaluates on the test set (greedy, and beam search when run.beam > 1), prints the metrics and a
/// few translations (with a terminal heatmap of the first when the model attends), writes
/// out/metrics.json, out/summary.tsv (one line for experiment tables), out/heatmaps/example_N.svg
/// and, for bucketed tasks, out/buckets.tsv
/// (bucket, exact match, token accuracy). `extra` is merged into metrics.json (model settings).
/// Returns the test evaluation (greedy).
Evaluation report_seq2seq(Seq2SeqModel& model, const Seq2SeqData& data, const Seq2SeqRun& run,
                          const TrainReport& training, const std::string& model_name, const JsonObject& extra);

}  // namespace attn
