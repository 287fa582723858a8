// chapters/04_han/main.cpp — chapter 4: hierarchical attention on documents, and what it reads.
//
//   build/chapters/04_han/04_han                                  reviews: HAN and the mean-pooling baseline
//   build/chapters/04_han/04_han --data path/to/news.csv                 your own documents (README, "Your data")
//
// data -> model -> training -> test accuracy -> attention hit rates -> highlighted documents.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "model.hpp"
#include "attn/data/batching.hpp"
#include "attn/data/loaders.hpp"
#include "attn/data/shipped.hpp"
#include "attn/data/text.hpp"
#include "attn/support/cli.hpp"
#include "attn/support/io.hpp"
#include "attn/support/json.hpp"
#include "attn/support/metrics.hpp"
#include "attn/support/runtime.hpp"
#include "attn/support/run_page.hpp"
#include "attn/support/viz.hpp"
#include "attn/tape.hpp"
#include "attn/train/command_line.hpp"
#include "attn/train/loop.hpp"
#include "attn/train/run_folder.hpp"

using namespace attn;
using ch04::Document;

// ---- Data: the shipped reviews, or any classification CSV -----------------------------------------------

struct Corpus {
    std::vector<Document> train, valid, test;
    std::vector<std::vector<Tokens>> test_words;  // the test documents' words, for display
    std::vector<Review> test_reviews;             // reviews only: which sentences and words carry the label
    std::vector<std::string> label_names;
    Vocabulary vocabulary;
};

/// Splits word tokens into sentences after ".", "!" and "?"; a "sentence" longer than max_words
/// (text without full stops) is cut into pieces, and a document keeps at most max_sentences. A batch
/// is as wide as its longest sentence and document, so one unbroken 800-word text would otherwise
/// make every document in its batch 800 steps long.
std::vector<Tokens> sentences_of(const Tokens& words, std::size_t max_words, std::size_t max_sentences) {
    std::vector<Tokens> out(1);
    for (const std::string& w : words) {
        if (out.back().size() == max_words) out.emplace_back();
        out.back().push_back(w);
        if (w == "." || w == "!" || w == "?") out.emplace_back();
    }
    if (out.back().empty()) out.pop_back();
    if (out.size() > max_sentences) out.resize(max_sentences);
    return out;
}

std::vector<Document> encode(const std::vector<std::vector<Tokens>>& docs, const std::vector<int>& labels, const Vocabulary& v) {
    std::vector<Document> out;
    for (std::size_t d = 0; d < docs.size(); ++d) {
        Document doc{{}, labels[d]};
        for (const Tokens& s : docs[d]) doc.sentences.push_back(v.encode(s));
        out.push_back(std::move(doc));
    }
    return out;
}

Corpus load_corpus(const std::string& data, const std::string& datasets, std::uint64_t seed, std::size_t max_words,
                   std::size_t max_sentences, std::size_t max_train) {
    Corpus corpus;
    std::vector<std::vector<Tokens>> words[3];  // train, valid, test
    std::vector<int> labels[3];
    if (data == "reviews") {
        const char* files[] = {"train", "valid", "test"};
        for (int k = 0; k < 3; ++k) {
            for (Review& r : load_reviews(datasets + "/reviews/" + files[k] + ".tsv")) {
                words[k].push_back(r.sentences);
                labels[k].push_back(r.rating - 1);
                if (k == 2) corpus.test_reviews.push_back(std::move(r));
            }
        }
        corpus.label_names = {"1", "2", "3", "4", "5"};
    } else {
        const LabelledTexts csv = load_classification_csv(data);
        if (csv.texts.size() < 3) {  // a split left empty would train on nothing, or test on nothing and report 100%
            throw std::runtime_error(data + ": " + std::to_string(csv.texts.size()) + " labelled text" + (csv.texts.size() == 1 ? "" : "s") +
                                     " cannot be split into training, validation and test documents (at least 3 needed)");
        }
        corpus.label_names = csv.label_names;
        Rng rng(seed);
        const std::vector<std::size_t> order = shuffled_indices(csv.texts.size(), rng);
        const std::size_t n_test = std::max<std::size_t>(1, csv.texts.size() / 10);
        for (std::size_t i = 0; i < order.size(); ++i) {
            const int k = i < n_test ? 2 : i < 2 * n_test ? 1 : 0;
            words[k].push_back(sentences_of(split_words(csv.texts[order[i]]), max_words, max_sentences));
            labels[k].push_back(csv.labels[order[i]]);
        }
    }
    if (max_train > 0 && words[0].size() > max_train) {  // the first max_train training documents only
        words[0].resize(max_train);
        labels[0].resize(max_train);
    }
    std::vector<Tokens> all;
    for (const auto& doc : words[0]) all.insert(all.end(), doc.begin(), doc.end());
    corpus.vocabulary = Vocabulary::build(all, data == "reviews" ? 1 : 2, 30000);
    corpus.train = encode(words[0], labels[0], corpus.vocabulary);
    corpus.valid = encode(words[1], labels[1], corpus.vocabulary);
    corpus.test = encode(words[2], labels[2], corpus.vocabulary);
    corpus.test_words = words[2];
    return corpus;
}

// ---- Training and evaluation --------------------------------------------------------------------------

std::vector<std::vector<std::size_t>> batches_of(const std::vector<Document>& docs, std::size_t size, Rng* rng) {
    std::vector<std::size_t> lengths;
    for (const Document& d : docs) lengths.push_back(d.sentences.size());
    return make_batches(lengths, size, true, rng);
}

Ids labels_of(const std::vector<Document>& docs, const std::vector<std::size_t>& which) {
    std::vector<int> labels;
    for (std::size_t d : which) labels.push_back(docs[d].label);
    return Ids(labels);
}

struct Result {
    double accuracy = 0, loss = 0;
    std::vector<int> predicted;
    std::vector<std::vector<double>> sentence_weights;            // per document
    std::vector<std::vector<std::vector<double>>> word_weights;   // per document, sentence, word
};

/// Predictions, attention weights, accuracy and mean loss on `docs` (put the model in evaluation mode first).
Result evaluate(const ch04::Han& model, const std::vector<Document>& docs) {
    NoRecording off;
    Rng unused(0);  // evaluation mode: dropout draws nothing
    Result r;
    r.predicted.assign(docs.size(), 0);
    r.sentence_weights.resize(docs.size());
    r.word_weights.resize(docs.size());
    std::vector<int> gold;
    for (const Document& d : docs) gold.push_back(d.label);
    for (const auto& which : batches_of(docs, 64, nullptr)) {
        const ch04::DocumentBatch batch = ch04::make_batch(docs, which);
        const ch04::Han::Output out = model.forward(batch, unused);
        r.loss += double(cross_entropy(out.logits, labels_of(docs, which)).item()) * double(which.size());
        for (std::size_t b = 0; b < which.size(); ++b) {
            const std::size_t d = which[b];
            std::size_t best = 0;
            for (std::size_t c = 1; c < out.logits.shape(1); ++c) if (out.logits.at({b, c}) > out.logits.at({b, best})) best = c;
            r.predicted[d] = int(best);
            if (!out.sentence_weights.defined()) continue;
            for (std::size_t i = 0; i < docs[d].sentences.size(); ++i) {
                r.sentence_weights[d].push_back(out.sentence_weights.at({b, i}));
                r.word_weights[d].emplace_back();
                for (std::size_t t = 0; t < docs[d].sentences[i].size(); ++t) {
                    r.word_weights[d].back().push_back(out.word_weights.at({b * batch.S + i, t}));
                }
            }
        }
    }
    r.accuracy = accuracy(r.predicted, gold);
    r.loss /= double(std::max<std::size_t>(docs.size(), 1));
    return r;
}

/// What the library's training loop needs to know about documents: batches of documents with
/// similar sentence counts, the loss per document, and the best epoch by validation accuracy.
class DocumentTraining : public TrainingTask {
public:
    DocumentTraining(const ch04::Han& model, const Corpus& corpus) : model_(model), corpus_(corpus) {}
    std::vector<std::vector<std::size_t>> epoch(std::size_t batch_size, Rng& rng) const override {
        return batches_of(corpus_.train, batch_size, &rng);
    }
    WeightedLoss loss(const std::vector<std::size_t>& which, Rng& rng) const override {
        const ch04::DocumentBatch batch = ch04::make_batch(corpus_.train, which);
        return {model_.loss(batch, labels_of(corpus_.train, which), rng), double(which.size())};
    }
    Validation validate() const override {
        const Result r = evaluate(model_, corpus_.valid);
        return {r.loss, r.accuracy};
    }

private:
    const ch04::Han& model_;
    const Corpus& corpus_;
};

/// Trains one model in its own folder (folder/name: checkpoint/, best/, loss.svg) and returns the
/// report; the model ends with its best validation epoch's parameters.
TrainReport train_model(ch04::Han& model, const Corpus& corpus, TrainOptions options, const std::string& name, Rng& rng) {
    options.folder += "/" + name;
    std::printf("\ntraining %s: %zu parameters, %d epochs of %zu documents per batch\n", name.c_str(), model.parameter_count(),
                options.epochs, options.batch_size);
    const DocumentTraining task(model, corpus);
    const TrainReport report = train(model, task, options, rng);
    std::printf("%s: trained %d epochs in %.1f s%s; best validation accuracy %.1f%% after epoch %d (the model tested)\n",
                name.c_str(), report.epochs_done, report.seconds,
                report.stopped_by_budget ? " (stopped by --budget)" : report.stopped_early ? " (stopped early: --patience)" : "",
                100 * report.best().accuracy, report.best_epoch);
    return report;
}

JsonObject training_json(const TrainReport& report) {
    JsonObject j;
    j.add("epochs", long(report.epochs_done)).add("best_epoch", long(report.best_epoch))
        .add("stopped_by_budget", report.stopped_by_budget ? "yes" : "no").add("stopped_early", report.stopped_early ? "yes" : "no")
        .add("train_loss", report.train_loss).add("valid_loss", report.valid_loss()).add("valid_accuracy", report.valid_accuracy());
    return j;
}

// ---- What the attention reads ----------------------------------------------------------------------------

struct HitRates {
    double sentence = 0, word = 0;
    std::size_t word_cases = 0;
    std::vector<double> sentence_by_rating;  // the sentence hit rate for ratings 1..5
};

/// Share of test reviews whose highest-weighted sentence carries the label; within those, the share
/// whose highest-weighted word is the marked opinion word.
HitRates hit_rates(const Result& r, const std::vector<Review>& reviews) {
    HitRates h;
    std::size_t sentence_hits = 0, word_hits = 0;
    std::vector<std::size_t> hits_by_rating(6, 0), docs_by_rating(6, 0);
    for (std::size_t d = 0; d < reviews.size(); ++d) {
        const auto& w = r.sentence_weights[d];
        const std::size_t top = std::size_t(std::max_element(w.begin(), w.end()) - w.begin());
        const std::set<int> keys(reviews[d].key_sentences.begin(), reviews[d].key_sentences.end());
        ++docs_by_rating[std::size_t(reviews[d].rating)];
        if (!keys.count(int(top))) continue;
        ++sentence_hits;
        ++hits_by_rating[std::size_t(reviews[d].rating)];
        const auto& ww = r.word_weights[d][top];
        const int top_word = int(std::max_element(ww.begin(), ww.end()) - ww.begin());
        for (const auto& [s, word] : reviews[d].key_words) {
            if (s != int(top)) continue;
            ++h.word_cases;
            word_hits += word == top_word;
        }
    }
    h.sentence = reviews.empty() ? 0 : double(sentence_hits) / double(reviews.size());
    for (std::size_t rating = 1; rating <= 5; ++rating) {
        h.sentence_by_rating.push_back(docs_by_rating[rating] ? double(hits_by_rating[rating]) / double(docs_by_rating[rating]) : 0);
    }
    h.word = h.word_cases ? double(word_hits) / double(h.word_cases) : 0;
    return h;
}

std::string shade(double w) {
    static const char* const levels[] = {" ", "░", "▒", "▓", "█"};
    return levels[w < 0.05 ? 0 : std::min(4, 1 + int(w * 4))];
}

/// The document in the terminal: each sentence's weight, shaded relative to the heaviest sentence (in
/// a long document every weight is small), and its words with weight >= 0.2 in brackets.
void print_document(const Result& r, const Corpus& corpus, std::size_t d) {
    const std::vector<double>& weights = r.sentence_weights[d];
    const double top = weights.empty() ? 1 : *std::max_element(weights.begin(), weights.end());
    std::printf("\ntest document %zu (label %s, predicted %s). Left: sentence weight, shaded so the heaviest (%.2f) is "
                "darkest; words with weight >= 0.2 in [brackets]:\n",
                d, corpus.label_names[std::size_t(corpus.test[d].label)].c_str(),
                corpus.label_names[std::size_t(r.predicted[d])].c_str(), top);
    for (std::size_t i = 0; i < corpus.test_words[d].size(); ++i) {
        const double sw = weights[i];
        const std::string bar = shade(top > 0 ? sw / top : 0);
        std::printf("  %.2f %s%s%s |", sw, bar.c_str(), bar.c_str(), bar.c_str());
        for (std::size_t t = 0; t < corpus.test_words[d][i].size(); ++t) {
            const bool strong = r.word_weights[d][i][t] >= 0.2;
            std::printf(strong ? " [%s]" : " %s", corpus.test_words[d][i][t].c_str());
        }
        std::printf("\n");
    }
}

std::string document_html(const Result& r, const Corpus& corpus, std::size_t d) {
    std::vector<WeightedSentence> doc;
    for (std::size_t i = 0; i < corpus.test_words[d].size(); ++i) {
        WeightedSentence s{r.sentence_weights[d][i], {}};
        for (std::size_t t = 0; t < corpus.test_words[d][i].size(); ++t) s.words.emplace_back(corpus.test_words[d][i][t], r.word_weights[d][i][t]);
        doc.push_back(std::move(s));
    }
    return highlight_html(doc, "test document " + std::to_string(d) + ": label " + corpus.label_names[std::size_t(corpus.test[d].label)] +
                                   ", predicted " + corpus.label_names[std::size_t(r.predicted[d])]);
}

// ---- main ----------------------------------------------------------------------------------------------

int main(int argc, char** argv) {
    std::string data = "reviews", datasets = ATTN_DATASETS_DIR, out;
    std::uint64_t seed = 1;
    int threads = 1;
    std::size_t examples = 3, max_train = 0;
    double learning_rate = 2e-3;
    bool no_baseline = false;
    TrainOptions training;
    training.epochs = 5;
    training.batch_size = 32;
    training.unit = "doc";
    ch04::Config config;
    CommandLine cli("attn chapter 4: hierarchical attention networks — which sentences, and which words, decide a document's label");
    cli.option("--data", data, "reviews (shipped), or a classification CSV: \"class\",\"title\",\"text\" or label,text");
    cli.option("--datasets", datasets, "the datasets/ folder");
    cli.option("--max-train", max_train, "train on the first N documents only (0 = all)");
    add_training_options(cli, training, learning_rate, "documents");
    cli.option("--seed", seed, "random seed");
    cli.option("--out", out, "folder for metrics.json, highlight_N.html and each model's checkpoint/ and best/ (default: out/04_han/<data>)");
    cli.option("--examples", examples, "test documents to highlight").range(0, 1000);
    cli.option("--embedding", config.embedding, "embedding width").at_least(1);
    cli.option("--hidden", config.word_hidden, "GRU width per direction (words and sentences)").at_least(1);
    cli.option("--attention", config.attention, "attention width A").at_least(1);
    std::size_t max_words = 50, max_sentences = 40;
    cli.option("--max-words", max_words, "CSV data: cut sentences longer than this").at_least(1);
    cli.option("--max-sentences", max_sentences, "CSV data: keep at most this many sentences per document").at_least(1);
    double dropout = 0.2;
    cli.option("--dropout", dropout, "dropout on embeddings and on the document vector").range(0, 0.9);
    cli.flag("--no-baseline", no_baseline, "skip the mean-pooling baseline");
    cli.option("--threads", threads, "BLAS threads").range(1, 256);
    if (const auto code = cli.parse(argc, argv)) return *code;
    config.sentence_hidden = config.word_hidden;
    config.dropout = real(dropout);
    configure_runtime(threads);
    set_constant_learning_rate(training, learning_rate);
    training.folder = out.empty() ? "out/04_han/" + std::filesystem::path(data).stem().string() : out;

    try {
        std::printf("== attn chapter 4: hierarchical attention networks (%s) ==\n", precision_name());
        const RunFolder run("04_han", training);  // locked; an earlier run is never silently replaced
        const Corpus corpus = load_corpus(data, datasets, seed, max_words, max_sentences, max_train);
        std::string classes;
        for (const std::string& name : corpus.label_names) classes += name + "\n";
        training.identity = {{"vocabulary", corpus.vocabulary.text()}, {"classes", classes}};  // what resuming requires
        std::printf("data %s: %zu / %zu / %zu documents, %zu classes, vocabulary %zu\n", data.c_str(), corpus.train.size(),
                    corpus.valid.size(), corpus.test.size(), corpus.label_names.size(), corpus.vocabulary.size());

        Rng rng(seed);
        ch04::Han han(corpus.vocabulary.size(), corpus.label_names.size(), config, rng);
        const TrainReport han_training = train_model(han, corpus, training, "han", rng);
        han.eval();
        const Result attention = evaluate(han, corpus.test);
        std::printf("\n== test set ==\nHAN (attention pooling)  accuracy %.1f%%\n", 100 * attention.accuracy);

        JsonObject metrics;
        metrics.add("data", data).add("seed", seed).add("epochs", long(training.epochs)).add("test_documents", long(corpus.test.size()));
        JsonObject han_json;
        han_json.add("accuracy", attention.accuracy).add("parameters", long(han.parameter_count()))
            .add("training", training_json(han_training));
        if (!corpus.test_reviews.empty()) {
            const HitRates hits = hit_rates(attention, corpus.test_reviews);
            std::printf("attention hit rate: top sentence carries the label in %.1f%% of test documents;\n"
                        "                    within those, the top word is the opinion word in %.1f%% (%zu cases)\n",
                        100 * hits.sentence, 100 * hits.word, hits.word_cases);
            std::printf("sentence hit rate by rating 1..5:");
            for (double rate : hits.sentence_by_rating) std::printf(" %.1f%%", 100 * rate);
            std::printf("\n");
            han_json.add("sentence_hit_rate", hits.sentence).add("word_hit_rate", hits.word)
                .add("sentence_hit_rate_by_rating", hits.sentence_by_rating);
        }
        metrics.add("han", han_json);
        JsonObject timing;  // apart from metrics.json, which depends only on the seed and the options
        timing.add("han_train_seconds", han_training.seconds);

        if (!no_baseline) {
            ch04::Config mean_config = config;
            mean_config.attention_pooling = false;
            Rng baseline_rng(seed);
            ch04::Han baseline(corpus.vocabulary.size(), corpus.label_names.size(), mean_config, baseline_rng);
            TrainOptions baseline_training = training;
            baseline_training.start_if_no_checkpoint = true;  // a run stopped while HAN trained has none for the baseline yet
            const TrainReport mean_training = train_model(baseline, corpus, baseline_training, "mean_pooling", baseline_rng);
            baseline.eval();
            const Result mean = evaluate(baseline, corpus.test);
            std::printf("\n| model | test accuracy | training time | parameters |\n|---|---|---|---|\n");
            std::printf("| HAN (attention pooling) | %.1f%% | %.1f s | %zu |\n", 100 * attention.accuracy, han_training.seconds, han.parameter_count());
            std::printf("| same encoders, mean pooling | %.1f%% | %.1f s | %zu |\n", 100 * mean.accuracy, mean_training.seconds, baseline.parameter_count());
            JsonObject mean_json;
            mean_json.add("accuracy", mean.accuracy).add("parameters", long(baseline.parameter_count()))
                .add("training", training_json(mean_training));
            metrics.add("mean_pooling", mean_json);
            timing.add("mean_pooling_train_seconds", mean_training.seconds);
        }

        const auto confusion = confusion_matrix(attention.predicted, [&] {
            std::vector<int> gold;
            for (const Document& d : corpus.test) gold.push_back(d.label);
            return gold;
        }(), corpus.label_names.size());
        std::printf("\nconfusion matrix (rows: true label, columns: predicted):\n");
        for (std::size_t g = 0; g < confusion.size(); ++g) {
            std::printf("  %8s", corpus.label_names[g].c_str());
            for (std::size_t count : confusion[g]) std::printf(" %5zu", count);
            std::printf("\n");
        }

        const std::string& folder = training.folder;
        for (std::size_t d = 0; d < std::min(examples, corpus.test.size()); ++d) {
            if (d == 0) print_document(attention, corpus, d);
            write_file_atomically(folder + "/highlight_" + std::to_string(d) + ".html", document_html(attention, corpus, d));
        }
        write_file_atomically(folder + "/metrics.json", metrics.str() + "\n");
        write_file_atomically(folder + "/timing.json", timing.str() + "\n");
        std::printf("\nwrote %s/metrics.json, timing.json, highlight_N.html, and each model's loss.svg, checkpoint/ and best/\n",
                    folder.c_str());
        std::printf("all on one page: %s\n", write_run_page(folder, "attn 04_han: hierarchical attention on " + data, metrics).c_str());
    } catch (const std::exception& error) {
        return cli.fail("04_han", error);  // one line; 128 + the signal after Ctrl-C
    }
    return 0;
}
