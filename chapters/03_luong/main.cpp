// chapters/03_luong/main.cpp — chapter 3: Luong attention, global and local, one variant per options.
//
//   build/chapters/03_luong/03_luong                                      general score, local-p, toy translation
//   build/chapters/03_luong/03_luong --alignment global --score dot       any of the nine variants
//   tools/experiments/luong_variants.sh                                   all of them, one table (README)
//
// data -> model -> training -> test metrics -> heatmaps, plus a picture of local-p's window and p_t.
#include <cstdio>

#include "model.hpp"
#include "attn/support/io.hpp"
#include "attn/seq2seq/report.hpp"
#include "attn/support/viz.hpp"

using namespace attn;

namespace {

const char* name_of(ch03::Score s) { return s == ch03::Score::dot ? "dot" : s == ch03::Score::general ? "general" : "concat"; }
const char* name_of(ch03::Alignment a) {
    return a == ch03::Alignment::global ? "global" : a == ch03::Alignment::local_m ? "local-m" : "local-p";
}

/// Greedy decoding of one sentence, drawing the weights with each step's p_t and window (local
/// attention) — heatmaps/positions_N.svg.
void draw_positions(const ch03::Luong& model, const Seq2SeqData& data, const Seq2SeqExample& example, const std::string& path) {
    const PaddedBatch source = pad_batch({data.source_vocabulary.encode(example.source)}, Vocabulary::pad);
    DecoderState state = model.start(source);
    std::vector<int> previous{Vocabulary::bos};
    Tokens rows;
    Matrix weights;
    std::vector<RowMark> marks;
    const double S = double(example.source.size());
    for (std::size_t t = 0; t < 2 * example.target.size() + 5; ++t) {
        const Tensor logp = model.step(previous, state);
        int best = 0;
        for (std::size_t v = 1; v < logp.size(); ++v) if (logp.data()[v] > logp.data()[best]) best = int(v);
        const Tensor a = model.last_attention(state);
        weights.emplace_back();
        for (std::size_t s = 0; s < example.source.size(); ++s) weights.back().push_back(a.at({0, s}));
        if (model.config.alignment != ch03::Alignment::global) {
            const double p = model.last_position(state).at({0, 0}), D = double(model.config.window);
            marks.push_back({p, std::max(0.0, std::ceil(p - D)), std::min(S - 1, std::floor(p + D))});
        }
        rows.push_back(best == Vocabulary::eos ? "<eos>" : data.target_vocabulary.token(best));
        if (best == Vocabulary::eos) break;
        previous = {best};
    }
    HeatmapText text;
    text.title = std::string(name_of(model.config.alignment)) + ", " + name_of(model.config.score) + ": " +
                 detokenize(example.source, data.characters);
    Tokens output(rows.begin(), rows.end() - (rows.empty() || rows.back() != "<eos>" ? 0 : 1));
    text.subtitle = "model output: " + detokenize(output, data.characters) +
                    (marks.empty() ? "" : "   (red: the aligned position p_t and its window)");
    write_file_atomically(path, attention_svg(weights, rows, example.source, text, marks));
    if (!marks.empty()) {
        std::printf("\naligned positions p_t (0-based) for \"%s\":\n ", detokenize(example.source, data.characters).c_str());
        for (std::size_t t = 0; t < marks.size(); ++t) std::printf(" %s@%.1f", rows[t].c_str(), marks[t].position);
        std::printf("\n");
    }
}

}  // namespace

int main(int argc, char** argv) {
    Seq2SeqOptions options;
    options.chapter = "03_luong";
    options.task = "toy";
    options.datasets = ATTN_DATASETS_DIR;
    options.train.epochs = 6;
    options.recipe_epochs = {{"tatoeba", 20}, {"bible", 10}};  // measured: README of chapter 2, "Real language"
    options.learning_rate = 3e-3;
    ch03::Config config;
    std::string score = "general", alignment = "local-p";
    bool no_input_feeding = false;
    double dropout = 0;
    CommandLine cli("attn chapter 3: Luong attention — global and local (local-m, local-p), dot/general/concat scores");
    add_seq2seq_options(cli, options);
    cli.option("--score", score, "dot, general or concat");
    cli.option("--alignment", alignment, "global, local-m or local-p");
    cli.flag("--no-input-feeding", no_input_feeding, "do not feed h~_{t-1} into the next step");
    cli.option("--window", config.window, "local attention half-width D (paper: 10; --task bible: 10 unless given)").range(1, 1000);
    cli.flag("--renormalize", config.renormalize, "local-p: renormalise the weights after the Gaussian");
    cli.option("--layers", config.layers, "stacked LSTM layers (encoder and decoder)").range(1, 8);
    cli.option("--embedding", config.embedding, "embedding width E").at_least(1);
    cli.option("--hidden", config.hidden, "hidden width H").at_least(1);
    cli.option("--dropout", dropout, "dropout between layers, on embeddings and on h~").range(0, 0.9);
    if (const auto code = cli.parse(argc, argv)) return *code;
    if (score != "dot" && score != "general" && score != "concat") {
        std::fprintf(stderr, "03_luong: --score must be dot, general or concat, got '%s'\n", score.c_str());
        return 2;
    }
    if (alignment != "global" && alignment != "local-m" && alignment != "local-p") {
        std::fprintf(stderr, "03_luong: --alignment must be global, local-m or local-p, got '%s'\n", alignment.c_str());
        return 2;
    }
    config.score = score == "dot" ? ch03::Score::dot : score == "general" ? ch03::Score::general : ch03::Score::concat;
    config.alignment = alignment == "global" ? ch03::Alignment::global
                       : alignment == "local-m" ? ch03::Alignment::local_m : ch03::Alignment::local_p;
    config.input_feeding = !no_input_feeding;
    config.dropout = real(dropout);
    // The recipe for the Bible's verses (up to 25 words) also takes the paper's window, D = 10: at
    // the toy task's D = 3, local-p's positions collapse to the end of the verse (README, "On real text").
    if (options.task == "bible" && !cli.given("--window")) config.window = 10;
    apply_seq2seq_options(options, cli);

    try {
        std::printf("== attn chapter 3: Luong attention, %s alignment, %s score, input feeding %s (%s) ==\n",
                    alignment.c_str(), score.c_str(), config.input_feeding ? "on" : "off", precision_name());
        const Seq2SeqData data = load_and_describe(options);
        Rng rng(options.seed);
        ch03::Luong model(data.source_vocabulary.size(), data.target_vocabulary.size(), config, rng);
        std::printf("model: %zu parameters (%zu-layer LSTM, E %zu, H %zu, window D = %zu)\n\n", model.parameter_count(),
                    config.layers, config.embedding, config.hidden, config.window);
        // What the same parameters compute differently: a checkpoint resumes or translates only with these.
        options.train.identity["model"] = alignment + " alignment\n" + score + " score\n" +
                                          (alignment == "global" ? "" : "window " + std::to_string(config.window) + "\n") +
                                          (config.renormalize ? "renormalized\n" : "");
        if (!options.translate.empty()) return translate_sentences(model, data, options);  // a trained model, new sentences
        const RunFolder run(options.chapter, options.train);  // locked; an earlier run is never silently replaced
        const TrainReport training = train_and_describe(model, data, options, rng);

        JsonObject settings;
        settings.add("score", score).add("alignment", alignment).add("input_feeding", config.input_feeding ? "on" : "off")
            .add("window", long(config.window)).add("renormalize", config.renormalize ? "yes" : "no")
            .add("layers", long(config.layers)).add("embedding", long(config.embedding)).add("hidden", long(config.hidden))
            .add("dropout", dropout).add("batch", long(options.train.batch_size)).add("learning_rate", options.learning_rate);
        const std::string name = std::string(alignment) + "/" + score + (config.input_feeding ? "" : "/no-feed");
        if (!options.train.folder.empty()) {  // before the report, whose run page (index.html) shows them
            model.eval();
            NoRecording off;
            for (std::size_t i = 0; i < std::min<std::size_t>(2, data.test.size()); ++i) {
                draw_positions(model, data, data.test[i], options.train.folder + "/heatmaps/positions_" + std::to_string(i) + ".svg");
            }
        }
        report_seq2seq(model, data, options, training, name, settings);
    } catch (const std::exception& error) {
        return cli.fail("03_luong", error);  // one line; 128 + the signal after Ctrl-C
    }
    return 0;
}
