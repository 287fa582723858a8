// attn/seq2seq.hpp — what the sequence-to-sequence chapters (1, 2, 3, 5) share: the tasks and
// their data, batches, a model interface, the training loop (with checkpoints and resume), and
// evaluation (exact match, BLEU, token accuracy, alignment error of attention, accuracy by length).
//
// A chapter writes only its model (the paper's equations) and what it shows; everything here is
// the same for every model, so results are comparable across chapters.
#pragma once

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "attn/data/batching.hpp"
#include "attn/data/vocabulary.hpp"
#include "attn/decode.hpp"
#include "attn/metrics.hpp"
#include "attn/nn/module.hpp"

namespace attn {

// ---- tasks and data ----------------------------------------------------------------------------

struct Seq2SeqExample {
    Tokens source, target;
    Alignment gold;  // (source position, target position) links, when the dataset has them
};

struct Seq2SeqData {
    std::string task;
    bool characters = false;  // character-level (dates) or word-level
    std::vector<Seq2SeqExample> train, valid, test;
    std::vector<std::string> bucket_names;                // sequence tasks: test sets by length
    std::vector<std::vector<Seq2SeqExample>> test_buckets;
    Vocabulary source_vocabulary, target_vocabulary;      // built from train
};

/// task: "dates", "toy" (toy translation, with gold alignments), "copy", "reverse", "sort", or the
/// path of a Tatoeba-format TSV (split 90/5/5 after a seeded shuffle). `datasets` is the folder
/// holding datasets/ files; max_train > 0 keeps only the first max_train training examples.
Seq2SeqData load_seq2seq_data(const std::string& task, const std::string& datasets, std::size_t max_train = 0,
                              std::uint64_t seed = 1);

/// A batch for teacher forcing: the decoder reads <bos> y_1 .. y_T and predicts y_1 .. y_T <eos>.
struct PairBatch {
    PaddedBatch source;            // (B, S)
    Ids target_in, target_out;     // (B, T+1), padded with <pad>
    std::vector<int> target_lengths;  // T+1 per example
    std::size_t target_tokens = 0;    // real target tokens (for tokens/s)
};
PairBatch make_pair_batch(const std::vector<Seq2SeqExample>& examples, const std::vector<std::size_t>& indices,
                          const Vocabulary& source_vocabulary, const Vocabulary& target_vocabulary);

// ---- the model interface -------------------------------------------------------------------------

class Seq2SeqModel : public Module {
public:
    /// Mean token cross-entropy of the batch under teacher forcing; () scalar.
    virtual Tensor loss(const PairBatch& batch, Rng& rng) const = 0;
    /// The decoder state after reading the sources: one row per sentence (see attn/decode.hpp).
    virtual DecoderState start(const PaddedBatch& source) const = 0;
    /// One decoding step: previous tokens (N) -> log-probabilities (N, V); updates the state.
    virtual Tensor step(const std::vector<int>& previous, DecoderState& state) const = 0;
    /// The attention weights (N, S) of the last step, for models that attend; empty otherwise.
    virtual Tensor last_attention(const DecoderState&) const { return Tensor(); }
};

// ---- training -------------------------------------------------------------------------------------

struct TrainOptions {
    int epochs = 10;
    std::size_t batch_size = 64;
    double learning_rate = 1e-3;
    double clip = 5.0;              // global gradient-norm clip (0 = none)
    double beta1 = 0.9, beta2 = 0.999;  // Adam
    /// If set, the learning rate of step n (counting from 1); otherwise learning_rate throughout.
    std::function<double(long)> schedule;
    double budget_seconds = 0;      // stop after this much training time (0 = no limit)
    std::string out;                // checkpoint, loss curve, metrics go here ("" = nowhere)
    bool resume = false;            // continue from out/checkpoint
    bool progress = true;
};

struct TrainReport {
    std::vector<double> train_loss, valid_loss;  // per epoch
    int epochs_done = 0;
    double seconds = 0;                          // training time, this run and resumed ones together
    bool stopped_by_budget = false;
};

/// Adam with clipping over bucketed, shuffled batches; validates after every epoch; writes
/// out/checkpoint (every epoch) and out/loss.svg. With resume, continues exactly where the
/// checkpoint left off (parameters, optimiser, random state, epoch, losses so far).
TrainReport train_seq2seq(Seq2SeqModel& model, const Seq2SeqData& data, const TrainOptions& options, Rng& rng);

/// Mean validation loss (no dropout, no tape).
double mean_loss(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples, const Seq2SeqData& data,
                 std::size_t batch_size);

// ---- evaluation -------------------------------------------------------------------------------------

struct Translation {
    Tokens output;
    std::vector<std::vector<double>> attention;  // (T, S) weights, greedy decoding of attending models
};

/// Decodes every example (greedy when beam == 1), batched.
std::vector<Translation> translate(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples,
                                   const Seq2SeqData& data, std::size_t beam = 1, std::size_t batch_size = 64);

struct Evaluation {
    double exact_match = 0, bleu = 0, token_accuracy = 0;
    double aer = std::numeric_limits<double>::quiet_NaN();  // when gold alignments and attention exist
    std::vector<Translation> translations;
};
Evaluation evaluate(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples, const Seq2SeqData& data,
                    std::size_t beam = 1);

/// Detokenised text of a token sequence: characters joined directly, words with spaces.
std::string detokenize(const Tokens& tokens, bool characters);

}  // namespace attn
