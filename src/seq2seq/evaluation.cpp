// Decoding a test set and scoring it (see attn/seq2seq/evaluation.hpp).
#include "attn/seq2seq/evaluation.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "attn/data/text.hpp"
#include "attn/tape.hpp"

namespace attn {

// ---- evaluation -------------------------------------------------------------------------------------

std::string detokenize(const Tokens& tokens, bool characters) { return join(tokens, characters ? "" : " "); }

std::vector<Translation> translate(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples,
                                   const Seq2SeqData& data, std::size_t beam, std::size_t batch_size) {
    NoRecording off;
    const bool was_training = model.training();
    model.eval();
    std::vector<Translation> out(examples.size());
    std::size_t longest = 0;  // the reference, or the source when there is none (new sentences)
    for (const Seq2SeqExample& e : examples) longest = std::max(longest, e.target.empty() ? e.source.size() : e.target.size());
    SearchOptions search;
    search.beam = beam;
    search.max_length = 2 * longest + 10;
    for (const auto& indices : batches_by_source_length(examples, batch_size, nullptr)) {
        std::vector<std::vector<int>> sources;
        for (std::size_t i : indices) sources.push_back(data.source_vocabulary.encode(examples[i].source));
        const PaddedBatch source = pad_batch(sources, Vocabulary::pad);
        std::vector<Tensor> attention;  // one (N, S) per greedy step
        const StepFunction step = [&](const std::vector<int>& previous, DecoderState& state) {
            const Tensor logp = model.step(previous, state);
            if (beam == 1) {
                const Tensor a = model.last_attention(state);
                if (a.defined()) attention.push_back(a);
            }
            return logp;
        };
        const DecoderState initial = model.start(source);
        const std::vector<Hypothesis> hyps = beam == 1 ? greedy_search(step, initial, search) : beam_search(step, initial, search);
        for (std::size_t k = 0; k < indices.size(); ++k) {
            Translation& t = out[indices[k]];
            t.output = data.target_vocabulary.decode(hyps[k].tokens);
            t.log_probability = hyps[k].log_probability;
            const std::size_t S = std::size_t(source.lengths[k]);
            for (std::size_t step_index = 0; step_index < attention.size() && step_index < hyps[k].tokens.size(); ++step_index) {
                std::vector<double> row(S);
                for (std::size_t s = 0; s < S; ++s) row[s] = attention[step_index].at({k, s});
                t.attention.push_back(std::move(row));
            }
        }
    }
    model.train(was_training);
    return out;
}

std::vector<Translation> read_references(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples,
                                         const Seq2SeqData& data) {
    NoRecording off;
    const bool was_training = model.training();
    model.eval();
    std::vector<Translation> out(examples.size());
    for (const auto& indices : batches_by_source_length(examples, 64, nullptr)) {
        const PairBatch batch = make_pair_batch(examples, indices, data.source_vocabulary, data.target_vocabulary);
        DecoderState state = model.start(batch.source);
        const std::size_t B = indices.size(), T = batch.target_in.shape[1];  // T: the longest reference + 1
        for (std::size_t t = 0; t < T; ++t) {
            std::vector<int> previous(B);
            for (std::size_t b = 0; b < B; ++b) previous[b] = batch.target_in.values[b * T + t];
            const Tensor logp = model.step(previous, state);  // (B, V)
            const Tensor a = model.last_attention(state);     // (B, S), or undefined
            for (std::size_t b = 0; b < B; ++b) {
                const Seq2SeqExample& e = examples[indices[b]];
                if (t > e.target.size()) continue;  // past this reference's <eos>
                Translation& r = out[indices[b]];
                r.log_probability += double(logp.at({b, std::size_t(batch.target_out.values[b * T + t])}));
                if (!a.defined()) continue;
                std::vector<double> row(e.source.size());
                for (std::size_t s = 0; s < row.size(); ++s) row[s] = double(a.at({b, s}));
                r.attention.push_back(std::move(row));
            }
        }
    }
    for (std::size_t i = 0; i < examples.size(); ++i) out[i].output = examples[i].target;
    model.train(was_training);
    return out;
}

namespace {

struct Scores {
    double exact_match = 0, bleu = 0, token_accuracy = 0;
};

/// Exact match, corpus BLEU and token accuracy (the output's token at each reference position) of
/// the translations of examples[i] for i in `chosen`.
Scores score(const std::vector<Seq2SeqExample>& examples, const std::vector<Translation>& translations,
             const std::vector<std::size_t>& chosen) {
    std::vector<Tokens> hypotheses, references;
    std::size_t right = 0, counted = 0;
    for (std::size_t i : chosen) {
        const Tokens& h = translations[i].output;
        const Tokens& r = examples[i].target;
        hypotheses.push_back(h);
        references.push_back(r);
        for (std::size_t t = 0; t < r.size(); ++t) right += t < h.size() && h[t] == r[t];
        counted += r.size();
    }
    Scores s;
    s.exact_match = exact_match(hypotheses, references);
    s.bleu = corpus_bleu(hypotheses, references).bleu;
    s.token_accuracy = counted ? double(right) / double(counted) : 0;
    return s;
}

/// The argmax source position of each reference token while the model reads the reference
/// (teacher forcing): the model's alignment, for alignment error. Empty for models that do not attend.
std::vector<Alignment> forced_alignments(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples,
                                         const Seq2SeqData& data) {
    const std::vector<Translation> read = read_references(model, examples, data);
    std::vector<Alignment> out(examples.size());
    for (std::size_t i = 0; i < examples.size(); ++i) {
        const std::vector<std::vector<double>>& a = read[i].attention;
        if (a.empty()) return {};
        for (std::size_t t = 0; t < examples[i].target.size(); ++t) {  // the eos step has no gold link
            out[i].emplace_back(int(std::max_element(a[t].begin(), a[t].end()) - a[t].begin()), int(t));
        }
    }
    return out;
}

}  // namespace

Evaluation evaluate(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples, const Seq2SeqData& data,
                    std::size_t beam) {
    Evaluation result;
    result.translations = translate(model, examples, data, beam);
    std::vector<std::size_t> all(examples.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    const Scores scores = score(examples, result.translations, all);
    result.exact_match = scores.exact_match;
    result.bleu = scores.bleu;
    result.token_accuracy = scores.token_accuracy;
    bool has_gold = false;  // a dataset with gold alignments (a sentence may still have none)
    for (const Seq2SeqExample& e : examples) has_gold = has_gold || !e.gold.empty() || !e.possible.empty();
    if (has_gold) {
        std::vector<Alignment> sure, possible, diagonal;
        std::vector<std::size_t> source_lengths, target_lengths;
        for (const Seq2SeqExample& e : examples) {
            sure.push_back(e.gold);
            possible.push_back(e.possible);
            diagonal.push_back(diagonal_alignment(e.source.size(), e.target.size()));
            source_lengths.push_back(e.source.size());
            target_lengths.push_back(e.target.size());
        }
        result.aer_diagonal = alignment_error_rate(diagonal, sure, possible);
        result.aer_uniform = uniform_alignment_error_rate(source_lengths, target_lengths, sure, possible);
        const std::vector<Alignment> predicted = forced_alignments(model, examples, data);
        if (!predicted.empty()) result.aer = alignment_error_rate(predicted, sure, possible);
    }
    return result;
}

std::vector<LengthGroup> by_source_length(const std::vector<Seq2SeqExample>& examples,
                                          const std::vector<Translation>& translations, std::size_t width) {
    if (width == 0) throw std::invalid_argument("by_source_length: the width of a length range must be at least 1");
    if (translations.size() != examples.size())
        throw std::invalid_argument("by_source_length: " + std::to_string(translations.size()) + " translations for " +
                                    std::to_string(examples.size()) + " examples");
    std::vector<std::vector<std::size_t>> members;  // members[g]: the examples of lengths g*width+1 .. (g+1)*width
    for (std::size_t i = 0; i < examples.size(); ++i) {
        const std::size_t g = examples[i].source.empty() ? 0 : (examples[i].source.size() - 1) / width;
        if (g >= members.size()) members.resize(g + 1);
        members[g].push_back(i);
    }
    std::vector<LengthGroup> out;
    for (std::size_t g = 0; g < members.size(); ++g) {
        if (members[g].empty()) continue;
        const Scores s = score(examples, translations, members[g]);
        LengthGroup group;
        group.from = g * width + 1;
        group.to = (g + 1) * width;
        group.sentences = members[g].size();
        group.bleu = s.bleu;
        group.token_accuracy = s.token_accuracy;
        out.push_back(group);
    }
    return out;
}

}  // namespace attn
