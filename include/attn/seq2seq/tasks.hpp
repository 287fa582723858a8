// attn/seq2seq/tasks.hpp — the sequence-to-sequence tasks (chapters 1, 2, 3, 5) and their batches.
//
// A chapter writes only its model (the paper's equations) and what it shows; the data, the batches,
// the training glue (training.hpp), decoding (search.hpp) and evaluation (evaluation.hpp) are the
// same for every model, so results compare across chapters.
#pragma once

#include <string>
#include <vector>

#include "attn/data/batching.hpp"
#include "attn/data/vocabulary.hpp"
#include "attn/support/metrics.hpp"

namespace attn {

struct Seq2SeqExample {
    Tokens source, target;
    Alignment gold;      // sure (source position, target position) links, when the dataset has them
    Alignment possible;  // links that may also be right (Och & Ney's possible links, sure ones excluded)
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

/// The name a task's outputs are filed under: the task itself, or a data file's name without its
/// folder and extension ("data/eng-fra.tsv" -> "eng-fra").
std::string task_folder_name(const std::string& task);

/// A batch for teacher forcing: the decoder reads <bos> y_1 .. y_T and predicts y_1 .. y_T <eos>.
struct PairBatch {
    PaddedBatch source;               // (B, S)
    Ids target_in, target_out;        // (B, T+1), padded with <pad>
    std::vector<int> target_lengths;  // T+1 per example
    std::size_t target_tokens = 0;    // real target tokens (for tokens/s)
};
/// From token ids: sources (B sequences) and targets (B sequences, without <bos>/<eos>).
PairBatch make_pair_batch(const std::vector<std::vector<int>>& sources, const std::vector<std::vector<int>>& targets);
/// From examples: encodes examples[indices] with the vocabularies.
PairBatch make_pair_batch(const std::vector<Seq2SeqExample>& examples, const std::vector<std::size_t>& indices,
                          const Vocabulary& source_vocabulary, const Vocabulary& target_vocabulary);

/// Batches of similar source length (bucketed), shuffled with rng (nullptr: in order).
std::vector<std::vector<std::size_t>> batches_by_source_length(const std::vector<Seq2SeqExample>& examples,
                                                               std::size_t batch_size, Rng* rng);

}  // namespace attn
