// attn/seq2seq/evaluation.hpp — decoding a test set and scoring it: exact match, BLEU, token
// accuracy, and the alignment error of attention against gold links.
#pragma once

#include <cmath>
#include <limits>
#include <vector>

#include "attn/seq2seq/model.hpp"

namespace attn {

struct Translation {
    Tokens output;
    double log_probability = 0;                  // log p(output | source) under the model
    std::vector<std::vector<double>> attention;  // (T, S) weights: greedy decoding (or a reference read) of attending models
};

/// Decodes every example (greedy when beam == 1), batched.
std::vector<Translation> translate(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples,
                                   const Seq2SeqData& data, std::size_t beam = 1, std::size_t batch_size = 64);

/// Teacher forcing: the model reads each example's reference translation instead of its own
/// output. Per example: output = the reference, log_probability = log p(reference <eos> | source),
/// attention = the weights at each of the T + 1 steps (models that attend). Unknown words are read
/// as <unk>.
std::vector<Translation> read_references(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples,
                                         const Seq2SeqData& data);

struct Evaluation {
    double exact_match = 0, bleu = 0, token_accuracy = 0;
    double aer = std::numeric_limits<double>::quiet_NaN();  // when gold alignments and attention exist
    // the same for two baselines that know nothing of the words: the diagonal, and a link drawn
    // uniformly from the source (expected); when gold alignments exist
    double aer_diagonal = std::numeric_limits<double>::quiet_NaN(), aer_uniform = std::numeric_limits<double>::quiet_NaN();
    std::vector<Translation> translations;
};
Evaluation evaluate(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples, const Seq2SeqData& data,
                    std::size_t beam = 1);

/// Test sentences grouped by source length in ranges of `width` tokens (1-5, 6-10, ... for width 5),
/// scored from translations already made (`translations[i]` of `examples[i]`): the paper's Figure 2
/// (quality against sentence length) on any test set. Empty ranges are left out.
struct LengthGroup {
    std::size_t from = 0, to = 0, sentences = 0;  // source lengths from..to (inclusive)
    double bleu = 0, token_accuracy = 0;
};
std::vector<LengthGroup> by_source_length(const std::vector<Seq2SeqExample>& examples,
                                          const std::vector<Translation>& translations, std::size_t width);

/// Detokenised text of a token sequence: characters joined directly, words with spaces.
std::string detokenize(const Tokens& tokens, bool characters);

}  // namespace attn
