// chapters/07_afm/main.cpp — chapter 7: attention over feature interactions.
//
//   build/chapters/07_afm/07_afm                                  FM, AFM and AFM with uniform weights on the planted data
//   build/chapters/07_afm/07_afm --models afm --t 4 --lambda 0.01   one model, other settings
//   build/chapters/07_afm/07_afm --data path/to/frappe            your own libFM files (see README, "Your data")
//   tools/experiments/afm_study.sh                                3 seeds, and the t / lambda table (README)
//
// data -> models -> training (the library's loop) -> test RMSE -> which field pairs attention weighs.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

#include "model.hpp"
#include "attn/data/batching.hpp"
#include "attn/data/lines.hpp"
#include "attn/support/cli.hpp"
#include "attn/support/io.hpp"
#include "attn/support/json.hpp"
#include "attn/support/runtime.hpp"
#include "attn/support/run_page.hpp"
#include "attn/support/viz.hpp"
#include "attn/tape.hpp"
#include "attn/train/command_line.hpp"
#include "attn/train/loop.hpp"
#include "attn/train/run_folder.hpp"

using namespace attn;
using ch07::FeatureBatch;

// ---- Data: train/valid/test.libfm, and optionally the fields' names and the planted pairs -----------------

struct Dataset {
    LibfmData train, valid, test;
    std::size_t features = 0;             // n: the largest index in any split, plus one
    std::vector<std::string> field_names; // m names ("field 0", ... when the folder has no fields.tsv)
    std::set<std::pair<int, int>> planted;  // field pairs (i < j) that interact, when known (planted.tsv)
};

/// Rows of a TSV with a header line: each row's tab-separated cells; errors name file and line.
std::vector<std::vector<std::string>> tsv_rows(const std::string& path, std::size_t columns) {
    const std::string text = read_text_file(path);
    Lines lines(text, path);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    lines.next(line);  // the header
    while (lines.next(line)) {
        if (line.empty()) continue;
        std::vector<std::string> cells{""};
        for (char c : line) {
            if (c == '\t') {
                cells.emplace_back();
            } else {
                cells.back().push_back(c);
            }
        }
        if (cells.size() != columns) {
            throw std::runtime_error(lines.where() + ": expected " + std::to_string(columns) + " tab-separated columns, found " +
                                     std::to_string(cells.size()));
        }
        rows.push_back(cells);
    }
    return rows;
}

/// The splits of `folder`; max_train > 0 keeps only the first max_train training examples.
Dataset load_dataset(const std::string& folder, std::size_t max_train) {
    Dataset d;
    d.train = load_libfm(folder + "/train.libfm");
    if (max_train > 0 && d.train.size() > max_train) {
        d.train.labels.resize(max_train);
        d.train.features.resize(max_train * d.train.fields);
        d.train.values.resize(max_train * d.train.fields);
    }
    d.valid = load_libfm(folder + "/valid.libfm");
    d.test = load_libfm(folder + "/test.libfm");
    for (const LibfmData* split : {&d.valid, &d.test}) {
        if (split->fields != d.train.fields) {
            throw std::runtime_error(folder + ": train.libfm has " + std::to_string(d.train.fields) + " fields per line, " +
                                     (split == &d.valid ? "valid" : "test") + ".libfm " + std::to_string(split->fields));
        }
    }
    d.features = std::max({d.train.feature_count, d.valid.feature_count, d.test.feature_count});
    for (std::size_t f = 0; f < d.train.fields; ++f) d.field_names.push_back("field " + std::to_string(f));
    if (std::filesystem::exists(folder + "/fields.tsv")) {
        const auto rows = tsv_rows(folder + "/fields.tsv", 3);
        if (rows.size() != d.train.fields) {
            throw std::runtime_error(folder + "/fields.tsv: names " + std::to_string(rows.size()) + " fields, the data has " +
                                     std::to_string(d.train.fields));
        }
        for (std::size_t f = 0; f < rows.size(); ++f) d.field_names[f] = rows[f][0];
    }
    if (std::filesystem::exists(folder + "/planted.tsv")) {
        for (const auto& row : tsv_rows(folder + "/planted.tsv", 2)) {
            const auto at = [&](const std::string& name) {
                const auto it = std::find(d.field_names.begin(), d.field_names.end(), name);
                if (it == d.field_names.end()) throw std::runtime_error(folder + "/planted.tsv: no field called '" + name + "'");
                return int(it - d.field_names.begin());
            };
            const int a = at(row[0]), b = at(row[1]);
            d.planted.insert({std::min(a, b), std::max(a, b)});
        }
    }
    return d;
}

// ---- Training: the library's loop, told how to batch examples and score a regression ------------------

/// One model's predictions: FM, or AFM (with its attention weights).
struct Model {
    ch07::FactorizationMachine* fm = nullptr;
    ch07::Afm* afm = nullptr;
    Module& module() const { return fm ? static_cast<Module&>(*fm) : static_cast<Module&>(*afm); }
    Tensor loss(const FeatureBatch& batch, Rng& rng) const { return fm ? fm->loss(batch, rng) : afm->loss(batch, rng); }
    Tensor predict(const FeatureBatch& batch, Rng& rng) const { return fm ? fm->predict(batch) : afm->forward(batch, rng).y; }
};

std::vector<std::vector<std::size_t>> batches_of(const LibfmData& data, std::size_t size, Rng* rng) {
    return make_batches(std::vector<std::size_t>(data.size(), 1), size, false, rng);
}

/// Root mean squared error on `data` (the model in evaluation mode).
double rmse(const Model& model, const LibfmData& data) {
    NoRecording off;
    Rng unused(0);
    double total = 0;
    for (const auto& rows : batches_of(data, 1024, nullptr)) {
        const FeatureBatch batch = ch07::make_batch(data, rows);
        total += double(ch07::squared_error(model.predict(batch, unused), batch.y).item()) * double(rows.size());
    }
    return std::sqrt(total / double(data.size()));
}

class RegressionTraining : public TrainingTask {
public:
    RegressionTraining(const Model& model, const Dataset& data) : model_(model), data_(data) {}
    std::vector<std::vector<std::size_t>> epoch(std::size_t batch_size, Rng& rng) const override {
        return batches_of(data_.train, batch_size, &rng);
    }
    WeightedLoss loss(const std::vector<std::size_t>& rows, Rng& rng) const override {
        return {model_.loss(ch07::make_batch(data_.train, rows), rng), double(rows.size())};
    }
    Validation validate() const override {  // the lowest validation RMSE is the best epoch
        const double r = rmse(model_, data_.valid);
        return {r * r};
    }

private:
    const Model& model_;
    const Dataset& data_;
};

struct Trained {
    TrainReport report;
    double test_rmse = 0;
};

Trained train_model(const Model& model, const Dataset& data, TrainOptions options, const std::string& name, Rng& rng) {
    options.folder += "/" + name;
    std::printf("\ntraining %s: %zu parameters\n", name.c_str(), model.module().parameter_count());
    const RegressionTraining task(model, data);
    Trained t;
    t.report = train(model.module(), task, options, rng);
    model.module().eval();
    t.test_rmse = rmse(model, data.test);
    std::printf("%s: %d epochs in %.1f s, best validation RMSE %.4f after epoch %d; test RMSE %.4f\n", name.c_str(),
                t.report.epochs_done, t.report.seconds, std::sqrt(t.report.best().loss), t.report.best_epoch, t.test_rmse);
    return t;
}

// ---- What attention weighs: the mean a_ij of each field pair over the test set ------------------------

struct PairWeight {
    int i, j;
    double weight;
};

/// Every field pair with its mean attention weight over the test set, heaviest first.
std::vector<PairWeight> mean_pair_weights(const ch07::Afm& afm, const LibfmData& test) {
    NoRecording off;
    Rng unused(0);
    std::vector<double> total(afm.pairs.count(), 0);
    for (const auto& rows : batches_of(test, 1024, nullptr)) {
        const Tensor a = afm.forward(ch07::make_batch(test, rows), unused).weights;  // (B, P)
        const std::vector<real> values = a.values();
        for (std::size_t r = 0; r < rows.size(); ++r)
            for (std::size_t p = 0; p < total.size(); ++p) total[p] += double(values[r * total.size() + p]);
    }
    std::vector<PairWeight> out;
    for (std::size_t p = 0; p < total.size(); ++p) {
        out.push_back({afm.pairs.first.values[p], afm.pairs.second.values[p], total[p] / double(test.size())});
    }
    std::stable_sort(out.begin(), out.end(), [](const PairWeight& a, const PairWeight& b) { return a.weight > b.weight; });
    return out;
}

/// Field x field heatmap of the mean weights, scaled so the heaviest pair is 1 (both triangles).
std::string pair_heatmap(const std::vector<PairWeight>& weights, const std::vector<std::string>& names) {
    Matrix m(names.size(), std::vector<double>(names.size(), 0));
    const double top = weights.empty() ? 1 : weights.front().weight;
    for (const PairWeight& w : weights) m[std::size_t(w.i)][std::size_t(w.j)] = m[std::size_t(w.j)][std::size_t(w.i)] = w.weight / top;
    char subtitle[160];
    std::snprintf(subtitle, sizeof subtitle, "scaled so the heaviest pair is 1 (its mean weight: %.3f; uniform: %.3f)", top,
                  1.0 / double(weights.size()));
    HeatmapText text;
    text.title = "mean attention weight a_ij per field pair, test set";
    text.subtitle = subtitle;
    text.row_axis = text.column_axis = "field";
    return attention_svg(m, names, names, text);
}

// ---- main ----------------------------------------------------------------------------------------------

int main(int argc, char** argv) {
    std::string data_folder = std::string(ATTN_DATASETS_DIR) + "/interactions", out, models = "fm,afm,uniform";
    std::uint64_t seed = 1;
    std::size_t max_train = 0;
    int threads = 1;
    double learning_rate = 0.01, dropout = 0, lambda = 0;
    ch07::Config config;
    TrainOptions training;
    training.epochs = 30;
    training.batch_size = 256;
    training.clip = 0;  // neither paper clips
    training.unit = "ex";
    CommandLine cli("attn chapter 7: attentional factorization machines — attention over feature interactions");
    cli.option("--data", data_folder, "folder with train.libfm, valid.libfm, test.libfm (and optionally fields.tsv, planted.tsv)");
    cli.option("--models", models, "which to train, comma-separated: fm, afm, uniform (AFM with every a_ij = 1/P)");
    cli.option("--max-train", max_train, "train on the first N examples only (0 = all)");
    add_training_options(cli, training, learning_rate, "examples");
    cli.option("--k", config.k, "embedding size K").range(1, 4096);
    cli.option("--t", config.t, "attention network width t").range(1, 4096);
    cli.option("--dropout", dropout, "dropout on the pooled interaction vector").range(0, 0.9);
    cli.option("--lambda", lambda, "L2 strength on the attention network's W").range(0, 100);
    cli.option("--seed", seed, "random seed");
    cli.option("--out", out, "folder for metrics.json, pair_weights.svg and each model's checkpoint/ and best/ (default: out/07_afm/<data>)");
    cli.option("--threads", threads, "BLAS threads").range(1, 256);
    if (const auto code = cli.parse(argc, argv)) return *code;
    config.dropout = real(dropout);
    config.lambda = real(lambda);
    configure_runtime(threads);
    set_constant_learning_rate(training, learning_rate);
    training.folder = out.empty() ? "out/07_afm/" + std::filesystem::path(data_folder).filename().string() : out;

    try {
        std::set<std::string> chosen;
        for (std::size_t start = 0; start <= models.size();) {
            const std::size_t comma = std::min(models.find(',', start), models.size());
            const std::string name = models.substr(start, comma - start);
            if (name != "fm" && name != "afm" && name != "uniform") {
                throw std::invalid_argument("--models: unknown model '" + name + "' (use fm, afm, uniform)");
            }
            chosen.insert(name);
            start = comma + 1;
        }
        std::printf("== attn chapter 7: attentional factorization machines (%s) ==\n", precision_name());
        const RunFolder run("07_afm", training);  // locked; an earlier run is never silently replaced
        const Dataset data = load_dataset(data_folder, max_train);
        std::string fields;
        for (const std::string& name : data.field_names) fields += name + "\n";
        training.identity = {{"fields", fields}};  // which field each group of feature ids is: what resuming requires
        std::printf("data %s: %zu / %zu / %zu examples, %zu fields, %zu features, %zu field pairs\n", data_folder.c_str(),
                    data.train.size(), data.valid.size(), data.test.size(), data.train.fields, data.features,
                    data.train.fields * (data.train.fields - 1) / 2);

        JsonObject metrics, timing;
        std::string table = "| model | test RMSE | best epoch | parameters |\n|---|---|---|---|\n";
        metrics.add("data", std::filesystem::path(data_folder).filename().string()).add("seed", seed)
            .add("k", long(config.k)).add("t", long(config.t)).add("dropout", dropout).add("lambda", lambda).add("learning_rate", learning_rate).add("batch", long(training.batch_size));
        auto record = [&](const std::string& name, const Trained& t, std::size_t parameters, JsonObject extra) {
            extra.add("test_rmse", t.test_rmse).add("parameters", long(parameters)).add("epochs", long(t.report.epochs_done))
                .add("best_epoch", long(t.report.best_epoch)).add("train_loss", t.report.train_loss)
                .add("valid_mse", t.report.valid_loss());
            metrics.add(name, extra);
            timing.add(name + "_train_seconds", t.report.seconds);
            char row[160];
            std::snprintf(row, sizeof row, "| %s | %.4f | %d of %d | %zu |\n", name.c_str(), t.test_rmse, t.report.best_epoch,
                          t.report.epochs_done, parameters);
            table += row;
        };

        // --resume continues each model from its own checkpoint; a model that a stopped run had not
        // reached has none and starts (for the first model that is an error: a wrong --out).
        TrainOptions model_training = training;
        if (chosen.count("fm")) {
            Rng rng(seed);
            ch07::FactorizationMachine fm(data.features, config.k, rng);
            const Trained t = train_model({&fm, nullptr}, data, model_training, "fm", rng);
            model_training.start_if_no_checkpoint = true;
            record("fm", t, fm.parameter_count(), JsonObject());
        }
        for (const char* name : {"afm", "uniform"}) {
            if (!chosen.count(name)) continue;
            ch07::Config c = config;
            c.pooling = std::string(name) == "afm" ? ch07::Pooling::attention : ch07::Pooling::uniform;
            Rng rng(seed);
            ch07::Afm afm(data.features, data.train.fields, c, rng);
            const Trained t = train_model({nullptr, &afm}, data, model_training, name, rng);
            model_training.start_if_no_checkpoint = true;
            JsonObject extra;
            if (c.pooling == ch07::Pooling::attention) {
                const std::vector<PairWeight> weights = mean_pair_weights(afm, data.test);
                std::printf("\nfield pairs by mean attention weight on the test set (uniform would be %.4f):\n",
                            1.0 / double(weights.size()));
                std::vector<std::string> top;
                for (std::size_t r = 0; r < weights.size(); ++r) {
                    const PairWeight& w = weights[r];
                    const bool planted = data.planted.count({w.i, w.j}) != 0;
                    if (r < 6) {
                        std::printf("  %2zu. %-28s %.4f%s\n", r + 1,
                                    (data.field_names[std::size_t(w.i)] + " x " + data.field_names[std::size_t(w.j)]).c_str(), w.weight,
                                    planted ? "   (planted)" : "");
                    }
                    top.push_back(data.field_names[std::size_t(w.i)] + " x " + data.field_names[std::size_t(w.j)]);
                }
                top.resize(std::min<std::size_t>(top.size(), 10));
                extra.add("top_pairs", top).add("top_weight", weights.front().weight);
                if (!data.planted.empty()) {
                    std::size_t hits = 0;
                    for (std::size_t r = 0; r < data.planted.size(); ++r) hits += data.planted.count({weights[r].i, weights[r].j});
                    const double rate = double(hits) / double(data.planted.size());
                    std::printf("planted pairs among the top %zu: %zu of %zu (hit rate %.0f%%)\n", data.planted.size(), hits,
                                data.planted.size(), 100 * rate);
                    extra.add("planted_hit_rate", rate);
                }
                write_file_atomically(training.folder + "/pair_weights.svg", pair_heatmap(weights, data.field_names));
            }
            record(name, t, afm.parameter_count(), extra);
        }

        std::printf("\n%s", table.c_str());
        write_file_atomically(training.folder + "/metrics.json", metrics.str() + "\n");
        write_file_atomically(training.folder + "/timing.json", timing.str() + "\n");
        std::printf("\nwrote %s/metrics.json, timing.json%s, and each model's loss.svg, checkpoint/ and best/\n",
                    training.folder.c_str(), chosen.count("afm") ? ", pair_weights.svg" : "");
        std::printf("all on one page: %s\n", write_run_page(training.folder, "attn 07_afm: attentional factorization machines on " + data_folder, metrics).c_str());
    } catch (const std::exception& error) {
        return cli.fail("07_afm", error);  // one line; 128 + the signal after Ctrl-C
    }
    return 0;
}
