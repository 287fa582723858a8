// The shared sequence-to-sequence machinery (see attn/seq2seq.hpp).
#include "attn/seq2seq.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "attn/checkpoint.hpp"
#include "attn/data/loaders.hpp"
#include "attn/data/shipped.hpp"
#include "attn/data/text.hpp"
#include "attn/io.hpp"
#include "attn/optim.hpp"
#include "attn/progress.hpp"
#include "attn/tape.hpp"
#include "attn/viz.hpp"

namespace attn {

// ---- data ---------------------------------------------------------------------------------------

namespace {

std::vector<Seq2SeqExample> read_pairs(const std::string& path, bool characters) {
    std::vector<Seq2SeqExample> out;
    for (const SentencePair& p : load_parallel_tsv(path)) {
        if (characters) {
            out.push_back({split_characters(p.source), split_characters(p.target), {}});
        } else {
            out.push_back({split_words(p.source, false), split_words(p.target, false), {}});
        }
    }
    return out;
}

std::vector<Seq2SeqExample> read_aligned(const std::string& path) {
    std::vector<Seq2SeqExample> out;
    for (AlignedPair& p : load_aligned_pairs(path)) out.push_back({std::move(p.source), std::move(p.target), std::move(p.links)});
    return out;
}

Vocabulary vocabulary_of(const std::vector<Seq2SeqExample>& examples, bool source) {
    std::vector<Tokens> corpus;
    for (const Seq2SeqExample& e : examples) corpus.push_back(source ? e.source : e.target);
    return Vocabulary::build(corpus);
}

}  // namespace

Seq2SeqData load_seq2seq_data(const std::string& task, const std::string& datasets, std::size_t max_train,
                              std::uint64_t seed) {
    Seq2SeqData data;
    data.task = task;
    const std::string root = datasets + "/";
    if (task == "dates") {
        data.characters = true;
        data.train = read_pairs(root + "dates/train.tsv", true);
        data.valid = read_pairs(root + "dates/valid.tsv", true);
        data.test = read_pairs(root + "dates/test.tsv", true);
    } else if (task == "toy") {
        data.train = read_aligned(root + "toy_translation/train.tsv");
        data.valid = read_aligned(root + "toy_translation/valid.tsv");
        data.test = read_aligned(root + "toy_translation/test.tsv");
    } else if (task == "copy" || task == "reverse" || task == "sort") {
        const std::string dir = root + "sequences/" + task + "/";
        data.train = read_pairs(dir + "train.tsv", false);
        data.valid = read_pairs(dir + "valid.tsv", false);
        std::vector<std::string> files;
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            const std::string name = entry.path().filename().string();
            if (name.rfind("test_", 0) == 0) files.push_back(name);
        }
        std::sort(files.begin(), files.end());
        for (const std::string& f : files) {
            data.bucket_names.push_back(f.substr(5, f.size() - 9));  // "test_05-14.tsv" -> "05-14"
            data.test_buckets.push_back(read_pairs(dir + f, false));
            data.test.insert(data.test.end(), data.test_buckets.back().begin(), data.test_buckets.back().end());
        }
    } else if (std::filesystem::exists(task)) {  // a Tatoeba-format file: shuffle, then 90/5/5
        std::vector<Seq2SeqExample> all = read_pairs(task, false);
        for (Seq2SeqExample& e : all) {
            for (Tokens* side : {&e.source, &e.target})
                for (std::string& t : *side) {
                    for (char& c : t) if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
                }
        }
        Rng rng(seed);
        const std::vector<std::size_t> order = shuffled_indices(all.size(), rng);
        const std::size_t n_valid = std::max<std::size_t>(1, all.size() / 20), n_test = n_valid;
        if (all.size() < 3 * n_valid + 1) throw std::runtime_error(task + ": too few sentence pairs to split (" + std::to_string(all.size()) + ")");
        for (std::size_t i = 0; i < order.size(); ++i) {
            auto& split = i < n_valid ? data.valid : i < n_valid + n_test ? data.test : data.train;
            split.push_back(all[order[i]]);
        }
    } else if (task.find('/') != std::string::npos || task.find('.') != std::string::npos) {
        throw std::runtime_error(task + ": no such file (--task takes dates, toy, copy, reverse, sort, or a file)");
    } else {
        throw std::invalid_argument("unknown task '" + task +
                                    "': use dates, toy, copy, reverse, sort, or the path of a source<TAB>target file");
    }
    if (max_train > 0 && data.train.size() > max_train) data.train.resize(max_train);
    data.source_vocabulary = vocabulary_of(data.train, true);
    data.target_vocabulary = vocabulary_of(data.train, false);
    return data;
}

PairBatch make_pair_batch(const std::vector<Seq2SeqExample>& examples, const std::vector<std::size_t>& indices,
                          const Vocabulary& source_vocabulary, const Vocabulary& target_vocabulary) {
    std::vector<std::vector<int>> sources, inputs, outputs;
    PairBatch batch;
    for (std::size_t i : indices) {
        const Seq2SeqExample& e = examples[i];
        sources.push_back(source_vocabulary.encode(e.source));
        std::vector<int> target = target_vocabulary.encode(e.target);
        std::vector<int> in{Vocabulary::bos}, out = target;
        in.insert(in.end(), target.begin(), target.end());
        out.push_back(Vocabulary::eos);
        batch.target_lengths.push_back(int(out.size()));
        batch.target_tokens += out.size();
        inputs.push_back(std::move(in));
        outputs.push_back(std::move(out));
    }
    batch.source = pad_batch(sources, Vocabulary::pad);
    batch.target_in = pad_batch(inputs, Vocabulary::pad).ids;
    batch.target_out = pad_batch(outputs, Vocabulary::pad).ids;
    return batch;
}

// ---- training -------------------------------------------------------------------------------------

double mean_loss(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples, const Seq2SeqData& data,
                 std::size_t batch_size) {
    NoRecording off;
    const bool was_training = model.training();
    model.eval();
    Rng unused(0);
    std::vector<std::size_t> lengths;
    for (const Seq2SeqExample& e : examples) lengths.push_back(e.source.size());
    double total = 0;
    std::size_t tokens = 0;
    for (const auto& indices : make_batches(lengths, batch_size, true, nullptr)) {
        const PairBatch batch = make_pair_batch(examples, indices, data.source_vocabulary, data.target_vocabulary);
        total += double(model.loss(batch, unused).item()) * double(batch.target_tokens);
        tokens += batch.target_tokens;
    }
    model.train(was_training);
    return tokens ? total / double(tokens) : 0;
}

namespace {

std::string numbers(const std::vector<double>& values) {
    std::ostringstream out;
    out.precision(17);
    for (std::size_t i = 0; i < values.size(); ++i) out << (i ? " " : "") << values[i];
    return out.str();
}

std::vector<double> parse_numbers(const std::string& text) {
    std::istringstream in(text);
    std::vector<double> values;
    for (double v; in >> v;) values.push_back(v);
    return values;
}

void write_loss_curve(const std::string& out, const TrainReport& report) {
    Series train{"train", {}}, valid{"valid", {}};
    for (std::size_t e = 0; e < report.train_loss.size(); ++e) {
        train.points.emplace_back(double(e + 1), report.train_loss[e]);
        valid.points.emplace_back(double(e + 1), report.valid_loss[e]);
    }
    write_file_atomically(out + "/loss.svg", line_plot_svg({train, valid}, "loss per epoch", "epoch", "cross-entropy per token"));
}

}  // namespace

TrainReport train_seq2seq(Seq2SeqModel& model, const Seq2SeqData& data, const TrainOptions& options, Rng& rng) {
    if (!options.out.empty()) ensure_writable_folder(options.out);  // fail now, not after training
    const std::vector<NamedParameter> parameters = model.parameters();
    Adam optimizer(parameters, real(options.learning_rate), real(options.beta1), real(options.beta2));
    TrainReport report;
    const std::string checkpoint = options.out.empty() ? "" : options.out + "/checkpoint";
    if (options.resume) {
        if (checkpoint.empty()) throw std::invalid_argument("--resume needs an output folder (--out)");
        const Metadata meta = load_checkpoint(checkpoint, model, &optimizer, &rng);
        report.epochs_done = std::stoi(meta.at("epoch"));
        report.seconds = std::stod(meta.at("seconds"));
        report.train_loss = parse_numbers(meta.at("train_loss"));
        report.valid_loss = parse_numbers(meta.at("valid_loss"));
        if (options.progress) std::printf("resumed from %s after epoch %d\n", checkpoint.c_str(), report.epochs_done);
    }

    std::vector<std::size_t> lengths;
    for (const Seq2SeqExample& e : data.train) lengths.push_back(e.source.size());
    const std::size_t batches_per_epoch = (data.train.size() + options.batch_size - 1) / options.batch_size;
    Progress progress(long(batches_per_epoch) * std::max(0, options.epochs - report.epochs_done));
    using clock = std::chrono::steady_clock;
    const double seconds_before = report.seconds;
    const clock::time_point start = clock::now();
    auto elapsed = [&] { return seconds_before + std::chrono::duration<double>(clock::now() - start).count(); };

    model.train();
    for (int epoch = report.epochs_done + 1; epoch <= options.epochs; ++epoch) {
        double epoch_loss = 0;
        std::size_t epoch_tokens = 0;
        for (const auto& indices : make_batches(lengths, options.batch_size, true, &rng)) {
            const PairBatch batch = make_pair_batch(data.train, indices, data.source_vocabulary, data.target_vocabulary);
            Tape tape;
            double loss_value;
            {
                Recording on(tape);
                const Tensor loss = model.loss(batch, rng);
                tape.backward(loss);
                loss_value = loss.item();
            }
            if (options.clip > 0) clip_grad_norm(parameters, options.clip);
            if (options.schedule) optimizer.learning_rate = real(options.schedule(optimizer.steps_taken + 1));
            optimizer.step();
            optimizer.zero_grad();
            epoch_loss += loss_value * double(batch.target_tokens);
            epoch_tokens += batch.target_tokens;
            if (options.progress) progress.step(epoch, loss_value, long(batch.target_tokens));
            if (options.budget_seconds > 0 && elapsed() >= options.budget_seconds) {
                report.stopped_by_budget = true;
                break;
            }
        }
        report.train_loss.push_back(epoch_tokens ? epoch_loss / double(epoch_tokens) : 0);
        report.valid_loss.push_back(mean_loss(model, data.valid, data, options.batch_size));
        report.epochs_done = epoch;
        report.seconds = elapsed();
        if (!checkpoint.empty()) {
            save_checkpoint(checkpoint, model, &optimizer, &rng,
                            {{"epoch", std::to_string(epoch)},
                             {"seconds", std::to_string(report.seconds)},
                             {"train_loss", numbers(report.train_loss)},
                             {"valid_loss", numbers(report.valid_loss)}});
            write_loss_curve(options.out, report);
        }
        if (report.stopped_by_budget) break;
    }
    if (options.progress) progress.finish();
    return report;
}

// ---- evaluation -------------------------------------------------------------------------------------

std::string detokenize(const Tokens& tokens, bool characters) { return join(tokens, characters ? "" : " "); }

std::vector<Translation> translate(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples,
                                   const Seq2SeqData& data, std::size_t beam, std::size_t batch_size) {
    NoRecording off;
    const bool was_training = model.training();
    model.eval();
    std::vector<Translation> out(examples.size());
    std::vector<std::size_t> lengths;
    std::size_t longest_target = 0;
    for (const Seq2SeqExample& e : examples) {
        lengths.push_back(e.source.size());
        longest_target = std::max(longest_target, e.target.size());
    }
    SearchOptions search;
    search.beam = beam;
    search.max_length = 2 * longest_target + 10;
    for (const auto& indices : make_batches(lengths, batch_size, true, nullptr)) {
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

namespace {

/// Attention while reading the reference translation (teacher forcing), for alignment error: the
/// argmax source position of each reference token.
std::vector<Alignment> forced_alignments(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples,
                                         const Seq2SeqData& data) {
    NoRecording off;
    std::vector<Alignment> out(examples.size());
    std::vector<std::size_t> lengths;
    for (const Seq2SeqExample& e : examples) lengths.push_back(e.source.size());
    for (const auto& indices : make_batches(lengths, 64, true, nullptr)) {
        const PairBatch batch = make_pair_batch(examples, indices, data.source_vocabulary, data.target_vocabulary);
        DecoderState state = model.start(batch.source);
        const std::size_t B = indices.size(), T = batch.target_in.shape[1];
        for (std::size_t t = 0; t < T; ++t) {
            std::vector<int> previous(B);
            for (std::size_t b = 0; b < B; ++b) previous[b] = batch.target_in.values[b * T + t];
            model.step(previous, state);
            const Tensor a = model.last_attention(state);
            if (!a.defined()) return {};
            for (std::size_t b = 0; b < B; ++b) {
                const Seq2SeqExample& e = examples[indices[b]];
                if (t >= e.target.size()) continue;  // the eos step has no gold link
                std::size_t best = 0;
                for (std::size_t s = 1; s < e.source.size(); ++s) if (a.at({b, s}) > a.at({b, best})) best = s;
                out[indices[b]].emplace_back(int(best), int(t));
            }
        }
    }
    return out;
}

}  // namespace

Evaluation evaluate(Seq2SeqModel& model, const std::vector<Seq2SeqExample>& examples, const Seq2SeqData& data,
                    std::size_t beam) {
    Evaluation result;
    result.translations = translate(model, examples, data, beam);
    std::vector<Tokens> hypotheses, references;
    std::size_t right = 0, counted = 0;
    for (std::size_t i = 0; i < examples.size(); ++i) {
        hypotheses.push_back(result.translations[i].output);
        references.push_back(examples[i].target);
        const Tokens& h = hypotheses.back();
        const Tokens& r = references.back();
        for (std::size_t t = 0; t < r.size(); ++t) right += t < h.size() && h[t] == r[t];
        counted += r.size();
    }
    result.exact_match = exact_match(hypotheses, references);
    result.bleu = corpus_bleu(hypotheses, references).bleu;
    result.token_accuracy = counted ? double(right) / double(counted) : 0;
    bool has_gold = !examples.empty();
    for (const Seq2SeqExample& e : examples) has_gold = has_gold && !e.gold.empty();
    if (has_gold) {
        const std::vector<Alignment> predicted = forced_alignments(model, examples, data);
        if (!predicted.empty()) {
            std::vector<Alignment> gold;
            for (const Seq2SeqExample& e : examples) gold.push_back(e.gold);
            result.aer = alignment_error_rate(predicted, gold, gold);
        }
    }
    return result;
}

}  // namespace attn
