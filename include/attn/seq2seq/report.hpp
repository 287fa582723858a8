// attn/seq2seq/report.hpp — what every sequence-to-sequence executable shows after training:
// metrics printed and written to metrics.json, attention heatmaps, accuracy and BLEU by length.
#pragma once

#include <string>

#include "attn/seq2seq/evaluation.hpp"
#include "attn/seq2seq/options.hpp"
#include "attn/support/json.hpp"

namespace attn {

/// Evaluates the model (the best validation epoch's parameters) on the test set (greedy, and beam
/// search when options.beam > 1), prints the metrics and a few translations (with a terminal
/// heatmap of the first when the model attends), and writes into the run folder: metrics.json,
/// timing.json, summary.tsv (one line for experiment tables), heatmaps/example_N.svg and, for
/// bucketed tasks, buckets.tsv (bucket, exact match, token accuracy); for the other word-level tasks
/// (the real languages), bleu_by_length.tsv (BLEU and token accuracy by source length, greedy and
/// beam). `settings` (the model's) is
/// merged into metrics.json. Returns the test evaluation (greedy).
Evaluation report_seq2seq(Seq2SeqModel& model, const Seq2SeqData& data, const Seq2SeqOptions& options,
                          const TrainReport& training, const std::string& model_name, const JsonObject& settings);

}  // namespace attn
