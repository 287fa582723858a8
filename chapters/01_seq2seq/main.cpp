// chapters/01_seq2seq/main.cpp — chapter 1: train an RNN encoder-decoder, and watch one fixed-size
// vector carry the whole sentence.
//
//   build/chapters/01_seq2seq/01_seq2seq                         dates -> ISO
//   build/chapters/01_seq2seq/01_seq2seq --task reverse          accuracy by length: the bottleneck
//   build/chapters/01_seq2seq/01_seq2seq --cell lstm --beam 5    LSTM, beam search at test time
#include <cstdio>

#include "model.hpp"
#include "attn/seq2seq/report.hpp"

using namespace attn;

int main(int argc, char** argv) {
    Seq2SeqOptions options;
    options.chapter = "01_seq2seq";
    options.datasets = ATTN_DATASETS_DIR;
    options.train.epochs = 3;
    options.recipe_epochs = {{"tatoeba", 6}, {"bible", 5}};  // measured: README of chapter 2, "Real language"
    options.learning_rate = 3e-3;
    ch01::Config config;
    std::string cell = "gru";
    double dropout = 0;
    CommandLine cli("attn chapter 1: the RNN encoder-decoder — the whole source in one vector c");
    add_seq2seq_options(cli, options);
    cli.option("--cell", cell, "recurrent cell: gru or lstm");
    cli.option("--embedding", config.embedding, "embedding width E").at_least(1);
    cli.option("--hidden", config.hidden, "hidden width H (and the size of c)").at_least(1);
    cli.option("--dropout", dropout, "dropout on embeddings and on [s_t; c]").range(0, 0.9);
    if (const auto code = cli.parse(argc, argv)) return *code;
    config.dropout = real(dropout);
    apply_seq2seq_options(options, cli);
    if (cell != "gru" && cell != "lstm") {
        std::fprintf(stderr, "01_seq2seq: --cell must be gru or lstm, got '%s'\n", cell.c_str());
        return 2;
    }
    config.cell = cell == "lstm" ? CellType::lstm : CellType::gru;

    try {
        std::printf("== attn chapter 1: RNN encoder-decoder (%s) ==\n", precision_name());
        const Seq2SeqData data = load_and_describe(options);
        Rng rng(options.seed);
        ch01::EncoderDecoder model(data.source_vocabulary.size(), data.target_vocabulary.size(), config, rng);
        std::printf("model: %zu parameters (%s, E %zu, H %zu)\n\n", model.parameter_count(), cell.c_str(),
                    config.embedding, config.hidden);

        if (!options.translate.empty()) return translate_sentences(model, data, options);  // a trained model, new sentences
        const RunFolder run(options.chapter, options.train);  // locked; an earlier run is never silently replaced

        const TrainReport training = train_and_describe(model, data, options, rng);

        JsonObject settings;
        settings.add("cell", cell).add("embedding", long(config.embedding)).add("hidden", long(config.hidden))
            .add("dropout", double(config.dropout)).add("batch", long(options.train.batch_size))
            .add("learning_rate", options.learning_rate);
        report_seq2seq(model, data, options, training, "seq2seq", settings);
    } catch (const std::exception& error) {
        return cli.fail("01_seq2seq", error);  // one line; 128 + the signal after Ctrl-C
    }
    return 0;
}
