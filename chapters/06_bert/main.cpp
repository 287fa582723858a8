// chapters/06_bert/main.cpp — chapter 6: BERT. Pretrain a bidirectional Transformer encoder on
// unlabelled verses by masked language modelling and next-sentence prediction, then show that
// pretraining pays when labels are few.
//
//   build/chapters/06_bert/06_bert                    pretrain, then the label-count curve (1 seed), heads
//   build/chapters/06_bert/06_bert --no-nsp           the same, pretrained by masked LM alone
//   build/chapters/06_bert/06_bert --quick            the same, small and short (about 1.5 minutes)
//   build/chapters/06_bert/06_bert --fill "in the beginning god [MASK] the heavens and the earth ."
//   tools/experiments/bert_study.sh                   3 seeds, NSP or not, frozen or fine-tuned (README)
//
// data -> WordPiece -> pretraining (the library's loop) -> fine-tuning curve, pretrained vs from
// scratch -> what the heads attend to.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "model.hpp"
#include "verses.hpp"
#include "fine_tuning.hpp"
#include "heads.hpp"
#include "attn/data/batching.hpp"
#include "attn/data/lines.hpp"
#include "attn/data/text.hpp"
#include "attn/support/cli.hpp"
#include "attn/support/io.hpp"
#include "attn/support/json.hpp"
#include "attn/support/run_page.hpp"
#include "attn/support/runtime.hpp"
#include "attn/support/viz.hpp"
#include "attn/tape.hpp"
#include "attn/train/command_line.hpp"
#include "attn/train/loop.hpp"
#include "attn/train/run_folder.hpp"

using namespace attn;
using ch06::Corpus;
using ch06::Verse;
using ch06::section_names;
using ch06::CurvePoint;
using ch06::FineTuning;
using ch06::HeadProfile;
using ch06::draw_heads;
using ch06::profile_heads;

// ---- Pretraining: masked LM and next-sentence prediction (or masked LM alone) over verses ------------------------

struct PretrainingSetup {
    ch06::MaskingOptions masking;
    bool next_sentence = true;  // as BERT; --no-nsp: masked LM alone, as RoBERTa (README, "NSP or not")
    bool pairs = false;  // without NSP: two consecutive verses per sequence, as NSP's inputs (the control for NSP)
    std::size_t max_positions = 64;
};

class PretrainingTask : public TrainingTask {
public:
    PretrainingTask(const ch06::Pretraining& model, const std::vector<Verse>& train, const std::vector<Verse>& valid,
                    std::size_t vocabulary, const PretrainingSetup& setup)
        : model_(model), train_(train), valid_(valid), vocabulary_(vocabulary), setup_(setup) {}

    /// One sequence per verse; NSP's second segments are drawn afresh. Batches hold sequences of
    /// similar length (shuffled among themselves): with random batches a quarter of the work was padding.
    std::vector<std::vector<std::size_t>> epoch(std::size_t batch_size, Rng& rng) const override {
        examples_ = pair_up(train_, rng);
        return make_batches(lengths_of(train_, examples_), batch_size, true, &rng);
    }

    WeightedLoss loss(const std::vector<std::size_t>& rows, Rng& rng) const override {
        const ch06::PretrainingBatch batch = make_batch(train_, examples_, rows, rng);
        const ch06::Pretraining::Losses l = model_.forward(batch, rng);
        const Tensor total = setup_.next_sentence ? l.mlm + l.nsp : l.mlm;
        return {total, double(batch.targets.values.size())};
    }

    /// MLM loss and accuracy on the validation verses, paired and masked the same way at every epoch.
    Validation validate() const override {
        Rng fixed(2019);
        const std::vector<Example> examples = pair_up(valid_, fixed);
        double loss = 0, right = 0, count = 0;
        for (const auto& rows : make_batches(lengths_of(valid_, examples), 128, true, nullptr)) {
            const ch06::PretrainingBatch batch = make_batch(valid_, examples, rows, fixed);
            const ch06::Pretraining::Losses l = model_.forward(batch, fixed);
            const std::size_t M = batch.targets.values.size(), V = l.mlm_logits.shape(1);
            const std::vector<real> logits = l.mlm_logits.values();
            for (std::size_t m = 0; m < M; ++m) {
                const auto row = logits.begin() + std::ptrdiff_t(m * V);
                right += int(std::max_element(row, row + std::ptrdiff_t(V)) - row) == batch.targets.values[m];
            }
            loss += double(l.mlm.item()) * double(M);
            count += double(M);
        }
        return {loss / count, right / count};
    }

private:
    /// A pretraining sequence: verse `first`, then verse `second` as segment B if there is one.
    struct Example {
        std::size_t first = 0;
        std::ptrdiff_t second = -1;  // -1: a single verse
        int is_next = 0;             // NSP's label: `second` follows `first` in its chapter
    };

    /// Without NSP: [CLS] verse [SEP], one segment, as RoBERTa drops the pairs with the NSP loss (and
    /// the same input as fine-tuning reads); with --pairs, the next verse of the chapter as a second
    /// segment when there is one, to compare with NSP at the same input. With NSP the second segment
    /// is the next verse of the same chapter (is_next 1) or, half the time and whenever there is no
    /// next verse, a verse of another chapter (is_next 0).
    std::vector<Example> pair_up(const std::vector<Verse>& verses, Rng& rng) const {
        std::vector<Example> examples(verses.size());
        for (std::size_t i = 0; i < verses.size(); ++i) {
            Example& e = examples[i];
            e.first = i;
            const bool has_next = i + 1 < verses.size() && verses[i + 1].book == verses[i].book && verses[i + 1].chapter == verses[i].chapter;
            if (setup_.pairs && !setup_.next_sentence && has_next) {
                e.second = std::ptrdiff_t(i + 1);
            } else if (setup_.next_sentence) {
                if (has_next && rng.uniform() < 0.5) {
                    e.second = std::ptrdiff_t(i + 1);
                    e.is_next = 1;
                } else {
                    std::size_t j = rng.below(verses.size());
                    while (verses[j].book == verses[i].book && verses[j].chapter == verses[i].chapter) j = rng.below(verses.size());
                    e.second = std::ptrdiff_t(j);
                }
            }
        }
        return examples;
    }

    /// Each sequence's length in pieces, [CLS] and [SEP]s included, as make_sequence will cut it.
    std::vector<std::size_t> lengths_of(const std::vector<Verse>& verses, const std::vector<Example>& examples) const {
        std::vector<std::size_t> lengths;
        for (const Example& e : examples) {
            const std::size_t pieces = verses[e.first].pieces.size() + (e.second < 0 ? 2 : verses[std::size_t(e.second)].pieces.size() + 3);
            lengths.push_back(std::min(pieces, setup_.max_positions));
        }
        return lengths;
    }

    /// The sequences of `rows`, masked, padded, with the chosen positions and their original pieces.
    ch06::PretrainingBatch make_batch(const std::vector<Verse>& verses, const std::vector<Example>& examples,
                                      const std::vector<std::size_t>& rows, Rng& rng) const {
        std::vector<ch06::Sequence> sequences;
        std::vector<ch06::Masked> masked;
        std::vector<int> is_next;
        for (std::size_t row : rows) {
            const Example& e = examples[row];
            const std::vector<int> none;
            ch06::Sequence s = ch06::make_sequence(verses[e.first].pieces, e.second < 0 ? none : verses[std::size_t(e.second)].pieces,
                                                   setup_.max_positions);
            masked.push_back(ch06::mask_tokens(s.tokens, setup_.masking, vocabulary_, rng));
            s.tokens = masked.back().tokens;
            sequences.push_back(std::move(s));
            is_next.push_back(e.is_next);
        }
        ch06::PretrainingBatch batch;
        batch.input = ch06::pad(sequences);
        const std::size_t T = batch.input.tokens.shape[1];
        std::vector<int> chosen, targets;
        for (std::size_t b = 0; b < masked.size(); ++b) {
            for (std::size_t k = 0; k < masked[b].positions.size(); ++k) {
                chosen.push_back(int(b * T + masked[b].positions[k]));
                targets.push_back(masked[b].targets[k]);
            }
        }
        batch.chosen = Ids(chosen);
        batch.targets = Ids(targets);
        batch.is_next = Ids(is_next);
        return batch;
    }

    const ch06::Pretraining& model_;
    const std::vector<Verse>& train_;
    const std::vector<Verse>& valid_;
    std::size_t vocabulary_;
    PretrainingSetup setup_;
    /// The sequences of the epoch being trained: epoch() draws them, loss() reads them (the loop
    /// consumes one epoch's batches before it asks for the next).
    mutable std::vector<Example> examples_;
};

// ---- Fill in the blank ------------------------------------------------------------------------------------------

void fill(const ch06::Pretraining& model, const WordPiece& vocabulary, const std::string& sentence) {
    NoRecording off;
    Rng unused(0);
    const std::vector<int> pieces = ch06::encode_with_masks(sentence, vocabulary);
    const ch06::Sequence s = ch06::make_sequence(pieces, {}, model.encoder.config.max_positions);
    std::vector<int> chosen;
    for (std::size_t t = 0; t < s.tokens.size(); ++t) if (s.tokens[t] == WordPiece::mask) chosen.push_back(int(t));
    if (chosen.empty()) throw std::invalid_argument("--fill: the sentence has no [MASK] (write it where a word should be guessed)");
    const ch06::Batch batch = ch06::pad({s});
    const Tensor h = model.encoder.forward(batch, unused);  // (1, T, H)
    const std::size_t T = h.shape(1), H = h.shape(2);
    const Tensor probabilities = softmax(model.mlm.forward(index_select(reshape(h, {T, H}), 0, Ids(chosen))), -1);  // (M, V)
    const std::size_t V = probabilities.shape(1);
    std::string shown;
    for (int id : s.tokens) shown += (shown.empty() ? "" : " ") + vocabulary.piece(id);
    std::printf("input pieces: %s\n", shown.c_str());
    const std::vector<real> p = probabilities.values();
    for (std::size_t m = 0; m < chosen.size(); ++m) {
        std::vector<std::size_t> order(V);
        for (std::size_t v = 0; v < V; ++v) order[v] = v;
        std::partial_sort(order.begin(), order.begin() + 5, order.end(), [&](std::size_t a, std::size_t b) { return p[m * V + a] > p[m * V + b]; });
        std::printf("[MASK] at piece %d:", chosen[m]);
        for (std::size_t k = 0; k < 5; ++k) std::printf("  %s %.3f", vocabulary.piece(int(order[k])).c_str(), double(p[m * V + order[k]]));
        std::printf("\n");
    }
}

// ---- main ------------------------------------------------------------------------------------------------------

/// The checkpoint's model text (Config::text() and the NSP line) back into a Config.
ch06::Config config_from(const std::string& text, bool& next_sentence, const std::string& where) {
    ch06::Config c;
    std::istringstream in(text);
    std::string key, value;
    while (in >> key >> value) {
        if (key == "next_sentence") {
            next_sentence = value == "on";
            continue;
        }
        std::size_t* field = key == "d_model" ? &c.d_model : key == "heads" ? &c.heads : key == "d_ff" ? &c.d_ff
                           : key == "layers" ? &c.layers : key == "max_positions" ? &c.max_positions : nullptr;
        if (field == nullptr) throw std::runtime_error(where + ": unknown model setting '" + key + "'");
        *field = std::size_t(std::stoul(value));
    }
    return c;
}

/// "a,b,c" -> {"a", "b", "c"}
std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) items.push_back(item);
    if (text.empty() || text.back() == ',') items.emplace_back();  // an empty item is refused by name
    return items;
}

std::vector<std::size_t> parse_label_counts(const std::string& text, std::size_t all) {
    std::vector<std::size_t> counts;
    for (const std::string& item : split_list(text)) {
        if (item == "all") {
            counts.push_back(all);
            continue;
        }
        char* end = nullptr;
        const unsigned long n = std::strtoul(item.c_str(), &end, 10);
        if (item.empty() || *end != 0 || n == 0) throw std::invalid_argument("--labels: '" + item + "' is not a positive number or 'all'");
        counts.push_back(std::min<std::size_t>(n, all));
    }
    return counts;
}

int main(int argc, char** argv) {
    const bool quick = std::any_of(argv + 1, argv + argc, [](const char* a) { return std::string(a) == "--quick"; });
    std::string data_folder = std::string(ATTN_DATASETS_DIR) + "/bible", out = "out/06_bert", from, fill_text, labels = "50,100,250,500,1000,all";
    std::string pool = "mean";
    std::uint64_t seed = 1;
    std::size_t seeds = 1, vocabulary_size = quick ? 2000 : 3000;
    int threads = 1;
    bool flag_quick = false;
    double learning_rate = quick ? 3e-3 : 2e-3;  // the pretraining peak (2e-3 reached a better MLM accuracy than 1e-3 here: README)
    ch06::Config config;
    config.d_ff = 256;  // 2H, as d2l's small BERT, not the paper's 4H: half the feed-forward time (README, "What differs from the paper")
    config.max_positions = 64;
    PretrainingSetup setup;
    FineTuning tuning;
    TrainOptions training;
    training.epochs = quick ? 5 : 16;
    training.batch_size = 64;
    training.clip = 1.0;
    training.unit = "masked";  // the progress line counts the pieces the loss is computed on
    if (quick) {
        config.d_model = 64;
        config.heads = 2;
        config.d_ff = 256;
        labels = "100,1000";
        tuning.steps = 150;
    }
    CommandLine cli("attn chapter 6: BERT — pretrain a bidirectional encoder by masked language modelling, then fine-tune");
    cli.option("--data", data_folder, "folder with train.tsv and train.refs (the Bible of datasets/bible)");
    cli.option("--out", out, "run folder: pretrain/ (checkpoint/, best/), curve.tsv, curve.svg, heads/, metrics.json");
    cli.flag("--quick", flag_quick, "small and short: H 64, 5 pretraining epochs, 2 label counts (about 1.5 minutes; too short for pretraining to pay much)");
    cli.option("--fill", fill_text, "print the top-5 pieces for each [MASK] in this sentence, from a trained run (see --from)");
    cli.option("--from", from, "a pretraining checkpoint to fine-tune or --fill from, instead of pretraining (default for --fill: <out>/pretrain/best)");
    add_training_options(cli, training, learning_rate, "verse pairs");
    cli.option("--vocabulary", vocabulary_size, "WordPiece vocabulary size, the five specials included").range(50, 100000);
    cli.option("--d-model", config.d_model, "hidden size H").range(2, 4096);
    cli.option("--heads", config.heads, "attention heads A").range(1, 64);
    cli.option("--d-ff", config.d_ff, "feed-forward inner width").range(1, 16384);
    cli.option("--layers", config.layers, "encoder layers L").range(1, 24);
    cli.option("--max-positions", config.max_positions, "longest input in pieces, [CLS] and [SEP]s included").range(8, 512);
    double dropout = config.dropout;
    cli.option("--dropout", dropout, "dropout").range(0, 0.9);
    cli.option("--mask-rate", setup.masking.rate, "share of pieces chosen for the MLM loss").range(0.01, 1);
    cli.option("--mask-token", setup.masking.replace_mask, "of the chosen: share replaced by [MASK]").range(0, 1);
    cli.option("--random-token", setup.masking.replace_random, "of the chosen: share replaced by a random piece").range(0, 1);
    bool masked_lm_only = false;
    cli.flag("--no-nsp", masked_lm_only, "pretrain by masked LM alone, on single verses (no next-sentence prediction)");
    cli.flag("--pairs", setup.pairs, "with --no-nsp: pretrain on pairs of consecutive verses (NSP's input without its loss)");
    cli.option("--labels", labels, "label counts of the curve, comma-separated ('all': every training verse)");
    cli.option("--seeds", seeds, "seeds per point of the curve (--seed, --seed + 1, ...)").range(1, 100);
    cli.option("--finetune-steps", tuning.steps, "updates per fine-tuning run, whatever the number of labels").range(1, 1000000);
    std::string finetune_rates = "1e-4,3e-4,1e-3";
    cli.option("--finetune-lr", finetune_rates, "fine-tuning peak learning rates, comma-separated: each start keeps the best on validation");
    cli.option("--finetune-batch", tuning.batch, "verses per fine-tuning batch").range(1, 4096);
    cli.option("--pool", pool, "what the classifier reads: mean (of every position) or cls (the [CLS] position)");
    cli.flag("--freeze", tuning.freeze, "fine-tune only the classifier, the encoder frozen");
    cli.option("--seed", seed, "random seed");
    cli.option("--threads", threads, "BLAS threads").range(1, 256);
    if (const auto code = cli.parse(argc, argv)) return *code;
    config.dropout = real(dropout);
    setup.max_positions = config.max_positions;
    setup.next_sentence = !masked_lm_only;
    configure_runtime(threads);

    try {
        if (setup.pairs && setup.next_sentence) throw std::invalid_argument("--pairs is NSP's input without its loss: give it with --no-nsp");
        if (pool != "mean" && pool != "cls") throw std::invalid_argument("--pool must be mean or cls, got '" + pool + "'");
        if (setup.masking.replace_mask + setup.masking.replace_random > 1) {
            throw std::invalid_argument("--mask-token plus --random-token must be at most 1");
        }
        tuning.pooling = pool == "cls" ? ch06::Pooling::cls : ch06::Pooling::mean;
        tuning.learning_rates.clear();
        for (const std::string& rate : split_list(finetune_rates)) {
            char* end = nullptr;
            const double r = std::strtod(rate.c_str(), &end);
            if (rate.empty() || *end != 0 || !(r > 0 && r < 1)) throw std::invalid_argument("--finetune-lr: '" + rate + "' is not a rate in (0, 1)");
            tuning.learning_rates.push_back(r);
        }
        tuning.epochs = std::min(tuning.epochs, tuning.steps);
        std::printf("== attn chapter 6: BERT (%s) ==\n", precision_name());

        if (!fill_text.empty()) {  // a trained model, a new sentence
            const std::string dir = from.empty() ? out + "/pretrain/best" : from;
            if (!has_checkpoint(dir)) throw std::runtime_error(dir + ": no checkpoint to fill from (train first, or give --from)");
            const Identity identity = read_checkpoint_identity(dir);
            if (!identity.count("wordpiece") || !identity.count("model")) throw std::runtime_error(dir + ": not a chapter 6 pretraining checkpoint");
            const WordPiece vocabulary = WordPiece::parse(identity.at("wordpiece"), dir + "/identity/wordpiece.txt");
            bool nsp = false;
            const ch06::Config c = config_from(identity.at("model"), nsp, dir + "/identity/model.txt");
            Rng rng(seed);
            ch06::Pretraining model(vocabulary.size(), c, nsp, rng);
            load_checkpoint(dir, model, nullptr, nullptr, &identity);
            model.eval();
            fill(model, vocabulary, fill_text);
            return 0;
        }

        parse_label_counts(labels, 1);  // a malformed list is refused before any work
        training.folder = out;
        const RunFolder run("06_bert", training);  // locked; an earlier run is never silently replaced
        Corpus data = ch06::load_corpus(data_folder);
        const std::vector<std::size_t> counts = parse_label_counts(labels, data.train.size());
        std::vector<std::vector<std::string>> sentences;
        for (const Verse& v : data.train) sentences.push_back(v.words);
        WordPiece::Options wp;
        wp.vocabulary_size = vocabulary_size;
        const WordPiece vocabulary = WordPiece::learn(sentences, wp);
        std::size_t unknown = 0, pieces = 0;
        for (std::vector<Verse>* split : {&data.train, &data.valid, &data.test}) {
            for (Verse& v : *split) {
                v.pieces = vocabulary.encode(v.words);
                pieces += v.pieces.size();
                unknown += std::size_t(std::count(v.pieces.begin(), v.pieces.end(), WordPiece::unk));
            }
        }
        std::printf("data %s: %zu verses to pretrain on and label from, %zu validation and %zu test verses (whole chapters, "
                    "never pretrained on); WordPiece: %zu pieces, %zu [UNK] of %zu\n",
                    data_folder.c_str(), data.train.size(), data.valid.size(), data.test.size(), vocabulary.size(), unknown, pieces);

        // ---- 1. pretraining ----
        if (!from.empty()) {  // an earlier pretraining says itself whether it had the NSP head
            if (!has_checkpoint(from)) throw std::runtime_error(from + ": no checkpoint to fine-tune from");
            const Identity stored = read_checkpoint_identity(from);
            if (!stored.count("model")) throw std::runtime_error(from + ": not a chapter 6 pretraining checkpoint");
            config_from(stored.at("model"), setup.next_sentence, from + "/identity/model.txt");
        }
        Rng rng(seed);
        ch06::Pretraining model(vocabulary.size(), config, setup.next_sentence, rng);
        const Identity identity{{"wordpiece", vocabulary.text()},
                                {"model", config.text() + "next_sentence " + (setup.next_sentence ? "on" : "off") + "\n"}};
        TrainReport pretraining;
        if (!from.empty()) {
            load_checkpoint(from, model, nullptr, nullptr, &identity);
            std::printf("pretrained encoder: %s\n", from.c_str());
        } else {
            std::printf("\npretraining: %zu parameters (L %zu, H %zu, A %zu, d_ff %zu), masked LM%s\n", model.parameter_count(),
                        config.layers, config.d_model, config.heads, config.d_ff, setup.next_sentence ? " + next-sentence prediction" : "");
            TrainOptions pre = training;
            pre.folder = out + "/pretrain";
            pre.identity = identity;
            const long steps = long(training.epochs) * long((data.train.size() + training.batch_size - 1) / training.batch_size);
            pre.learning_rate = std::make_shared<WarmupLinearDecay>(real(learning_rate), std::max(1L, steps / 10), steps);
            const PretrainingTask task(model, data.train, data.valid, vocabulary.size(), setup);
            pretraining = train(model, task, pre, rng);
            std::printf("pretraining: %d epochs in %.0f s; best validation MLM accuracy %.1f%% (loss %.3f) after epoch %d\n",
                        pretraining.epochs_done, pretraining.seconds, 100 * pretraining.best().accuracy, pretraining.best().loss,
                        pretraining.best_epoch);
        }
        model.eval();
        std::printf("\n");
        fill(model, vocabulary, "in the beginning god [MASK] the heavens and the earth .");

        // ---- 2. the curve: fine-tuned from the pretrained encoder, and from scratch ----
        const std::string curve_path = out + "/curve.tsv";
        std::vector<CurvePoint> points = training.resume ? ch06::read_curve(curve_path) : std::vector<CurvePoint>();
        std::printf("\nfine-tuning on %zu label counts x %zu seed%s x {pretrained, scratch} x rates {%s}: %zu updates of %zu verses each, %s pooling%s\n",
                    counts.size(), seeds, seeds == 1 ? "" : "s", finetune_rates.c_str(), tuning.steps, tuning.batch, pool.c_str(),
                    tuning.freeze ? ", encoder frozen" : "");
        std::printf("| labels | seed | pretrained: test accuracy (rate) | from scratch: test accuracy (rate) | seconds |\n|---|---|---|---|---|\n");
        for (std::uint64_t s = seed; s < seed + seeds; ++s) {
            for (std::size_t n : counts) {
                CurvePoint result[2];
                for (int k = 0; k < 2; ++k) {
                    const std::string init = k == 0 ? "pretrained" : "scratch";
                    const auto done = std::find_if(points.begin(), points.end(), [&](const CurvePoint& p) { return p.init == init && p.labels == n && p.seed == s; });
                    if (done != points.end()) {
                        result[k] = *done;
                        continue;
                    }
                    result[k] = ch06::fine_tune(data, vocabulary.size(), config, k == 0 ? &model : nullptr, n, s, tuning);
                    points.push_back(result[k]);
                    std::string text = "init\tlabels\tseed\tlearning_rate\tvalid_accuracy\ttest_accuracy\tseconds\n";
                    for (const CurvePoint& p : points) text += ch06::curve_row(p);
                    write_file_atomically(curve_path, text);  // a stopped run resumes after the last finished fine-tuning
                }
                std::printf("| %zu | %llu | %.1f%% (%g) | %.1f%% (%g) | %.0f + %.0f |\n", n, (unsigned long long)s, 100 * result[0].test_accuracy,
                            result[0].learning_rate, 100 * result[1].test_accuracy, result[1].learning_rate, result[0].seconds, result[1].seconds);
                std::fflush(stdout);
            }
        }

        // ---- 3. the summary: mean over seeds, plotted against the number of labels ----
        std::vector<Series> series{{"pretrained", {}}, {"from scratch", {}}};
        JsonObject metrics, curve;
        std::printf("\nmean test accuracy over %zu seed%s:\n| labels | pretrained | from scratch | difference |\n|---|---|---|---|\n", seeds,
                    seeds == 1 ? "" : "s");
        for (std::size_t n : counts) {
            const auto [pm, ps] = ch06::mean_std(points, "pretrained", n);
            const auto [sm, ss] = ch06::mean_std(points, "scratch", n);
            std::printf("| %zu | %.1f%% ± %.1f | %.1f%% ± %.1f | %+.1f points |\n", n, 100 * pm, 100 * ps, 100 * sm, 100 * ss, 100 * (pm - sm));
            series[0].points.push_back({std::log10(double(n)), 100 * pm});
            series[1].points.push_back({std::log10(double(n)), 100 * sm});
            JsonObject point;
            point.add("pretrained_mean", pm).add("pretrained_std", ps).add("scratch_mean", sm).add("scratch_std", ss);
            curve.add(std::to_string(n), point);
        }
        write_file_atomically(out + "/curve.svg",
                              line_plot_svg(series, "section of a verse: test accuracy (%) against labelled verses, mean of " + std::to_string(seeds) + " seed(s)",
                                            "labelled verses, log10 (1.7 = 50, 2 = 100, 3 = 1000, 4.1 = all)", "test accuracy (%)"));

        // ---- 4. what the pretrained heads attend to ----
        const auto profiles = profile_heads(model.encoder, data.valid);
        std::printf("\nwhat each pretrained head attends to (mean weight over the validation verses' positions):\n");
        std::printf("| layer | head | previous | itself | next | [CLS] | final [SEP] | entropy (nats) |\n|---|---|---|---|---|---|---|---|\n");
        std::vector<JsonObject> heads;
        for (std::size_t l = 0; l < profiles.size(); ++l) {
            for (std::size_t a = 0; a < profiles[l].size(); ++a) {
                const HeadProfile& p = profiles[l][a];
                std::printf("| %zu | %zu | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", l, a, p.previous, p.self, p.next, p.cls, p.sep, p.entropy);
                JsonObject h;
                h.add("layer", long(l)).add("head", long(a)).add("previous", p.previous).add("self", p.self).add("next", p.next)
                    .add("cls", p.cls).add("sep", p.sep).add("entropy", p.entropy);
                metrics.add("head_l" + std::to_string(l) + "_h" + std::to_string(a), h);
            }
        }
        draw_heads(model.encoder, vocabulary, data.test.front().pieces, out + "/heads");
        std::printf("wrote heatmaps of every layer and head for \"%s\" (%s) to %s/heads/\n", join(data.test.front().words).c_str(),
                    data.test.front().reference.c_str(), out.c_str());

        metrics.add("seed", seed).add("seeds", long(seeds)).add("vocabulary", long(vocabulary.size())).add("d_model", long(config.d_model))
            .add("heads", long(config.heads)).add("d_ff", long(config.d_ff)).add("layers", long(config.layers))
            .add("next_sentence", setup.next_sentence ? "on" : "off").add("pool", pool).add("freeze", tuning.freeze ? "on" : "off")
            .add("finetune_steps", long(tuning.steps)).add("curve", curve);
        if (from.empty()) {
            metrics.add("pretrain_epochs", long(pretraining.epochs_done)).add("pretrain_seconds", pretraining.seconds)
                .add("mlm_valid_accuracy", pretraining.best().accuracy).add("mlm_valid_loss", pretraining.best().loss);
        }
        write_file_atomically(out + "/metrics.json", metrics.str() + "\n");
        std::printf("\nwrote %s/metrics.json, curve.tsv, curve.svg, heads/, pretrain/ (checkpoint/, best/, loss.svg)\n", out.c_str());
        std::printf("all on one page: %s\n", write_run_page(out, "attn 06_bert: BERT pretraining and fine-tuning on the Bible", metrics).c_str());
    } catch (const std::exception& error) {
        return cli.fail("06_bert", error);  // one line; 128 + the signal after Ctrl-C
    }
    return 0;
}
