// attn/seq2seq/options.hpp — the command line every sequence-to-sequence chapter shares, and the
// two lines it prints around training.
#pragma once

#include <map>
#include <string>

#include "attn/seq2seq/model.hpp"
#include "attn/support/cli.hpp"
#include "attn/train/loop.hpp"
#include "attn/train/run_folder.hpp"

namespace attn {

/// What a seq2seq executable is asked to do: the task, the seed, the decoding and the training.
struct Seq2SeqOptions {
    std::string chapter;          // "02_bahdanau": names the default output folder
    std::string task = "dates";   // dates | toy | copy | reverse | sort | path/to/pairs.tsv
    std::string datasets;         // the datasets/ folder
    std::size_t max_train = 0;    // use only the first N training examples (0 = all)
    std::uint64_t seed = 1;
    std::size_t beam = 1;         // test decoding: 1 = greedy, k > 1 = beam search
    std::size_t examples = 3;     // heatmaps / printed translations
    int threads = 1;              // BLAS threads
    double learning_rate = 1e-3;  // --lr: a constant rate, unless the chapter sets train.learning_rate
    std::string out;              // --out; "" = out/<chapter>/<task>
    std::vector<std::string> translate;  // --translate: sentences for a trained model ("-" = read standard input)
    bool svg = false;             // --svg: with --translate, a heatmap per sentence in <run>/translations/
    TrainOptions train;           // train.folder is set by apply_seq2seq_options
    /// The chapter's recipe for the real-language tasks: the epochs a run of that task trains when
    /// --epochs is not given, chosen by measurement (chapter 2's README, "Real language").
    std::map<std::string, int> recipe_epochs;
};

/// --task --datasets --max-train --epochs --batch --lr --clip --budget --patience --seed --out
/// --resume --beam --examples --threads --translate --svg
void add_seq2seq_options(CommandLine& cli, Seq2SeqOptions& options);

/// After parsing: applies the thread count to BLAS (attn/support/runtime.hpp), makes --lr the
/// constant learning-rate schedule, takes the task's recipe epochs unless --epochs was given, and
/// sets the run folder (--out, or out/<chapter>/<task>, so runs of different tasks never overwrite
/// each other).
void apply_seq2seq_options(Seq2SeqOptions& options, const CommandLine& cli);

/// Loads options.task and prints one line about it (sizes, vocabularies). With --translate, the
/// vocabularies are the trained model's (recorded in its best/ checkpoint), not rebuilt from the data.
Seq2SeqData load_and_describe(const Seq2SeqOptions& options);

/// --translate: loads the run folder's best/ checkpoint into `model` (built with the same options
/// it was trained with), then translates each sentence — from the command line, or one per line
/// from standard input for "-" — printing the output, its log-probability and (attending models)
/// the attention in the terminal; with --svg also a heatmap per sentence in <run>/translations/.
/// A line "source<TAB>reference" (or "source ||| reference") is not translated: the model reads the
/// reference (read_references), and its log-probability and attention are shown instead.
/// Returns the exit code. Throws std::runtime_error when there is no trained model.
int translate_sentences(Seq2SeqModel& model, const Seq2SeqData& data, const Seq2SeqOptions& options);

/// train_seq2seq, then one line: epochs, seconds, the best epoch and its validation loss.
TrainReport train_and_describe(Seq2SeqModel& model, const Seq2SeqData& data, const Seq2SeqOptions& options, Rng& rng);

}  // namespace attn
