// chapters/02_bahdanau/main.cpp — chapter 2: train Bahdanau attention, then look at what it aligned.
//
//   build/chapters/02_bahdanau/02_bahdanau                       dates -> ISO, about 15 s of training
//   build/chapters/02_bahdanau/02_bahdanau --task toy            toy translation, AER of attention
//   build/chapters/02_bahdanau/02_bahdanau --task reverse        accuracy by length (see README)
//
// data -> model -> training -> test metrics -> heatmaps. Everything but the model is the library's
// (attn/seq2seq/tasks.hpp), shared with chapters 1, 3 and 5 so their numbers compare.
#include <cstdio>

#include "model.hpp"
#include "attn/seq2seq/report.hpp"

using namespace attn;

int main(int argc, char** argv) {
    Seq2SeqOptions options;
    options.chapter = "02_bahdanau";
    options.datasets = ATTN_DATASETS_DIR;
    options.train.epochs = 3;
    options.recipe_epochs = {{"tatoeba", 8}, {"bible", 6}};  // measured: README of chapter 2, "Real language"
    options.learning_rate = 3e-3;
    ch02::Config config;
    double dropout = 0;
    CommandLine cli("attn chapter 2: Bahdanau (additive) attention — an RNN decoder that learns where to look");
    add_seq2seq_options(cli, options);
    cli.option("--embedding", config.embedding, "embedding width E").at_least(1);
    cli.option("--hidden", config.hidden, "hidden width H of each encoder direction and the decoder").at_least(1);
    cli.option("--attention", config.attention, "width A of the alignment model").at_least(1);
    cli.option("--dropout", dropout, "dropout on embeddings and on [s_t; c_t]").range(0, 0.9);
    if (const auto code = cli.parse(argc, argv)) return *code;
    config.dropout = real(dropout);
    apply_seq2seq_options(options, cli);

    try {
        std::printf("== attn chapter 2: Bahdanau attention (%s) ==\n", precision_name());
        const Seq2SeqData data = load_and_describe(options);
        Rng rng(options.seed);
        ch02::Bahdanau model(data.source_vocabulary.size(), data.target_vocabulary.size(), config, rng);
        std::printf("model: %zu parameters (E %zu, H %zu, A %zu)\n\n", model.parameter_count(), config.embedding,
                    config.hidden, config.attention);

        if (!options.translate.empty()) return translate_sentences(model, data, options);  // a trained model, new sentences
        const RunFolder run(options.chapter, options.train);  // locked; an earlier run is never silently replaced

        const TrainReport training = train_and_describe(model, data, options, rng);

        JsonObject settings;
        settings.add("embedding", long(config.embedding)).add("hidden", long(config.hidden))
            .add("attention", long(config.attention)).add("dropout", double(config.dropout))
            .add("batch", long(options.train.batch_size)).add("learning_rate", options.learning_rate);
        report_seq2seq(model, data, options, training, "bahdanau", settings);
    } catch (const std::exception& error) {
        return cli.fail("02_bahdanau", error);  // one line; 128 + the signal after Ctrl-C
    }
    return 0;
}
