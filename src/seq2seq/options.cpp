// The seq2seq chapters' shared command line (see attn/seq2seq/options.hpp).
#include "attn/seq2seq/options.hpp"

#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "attn/data/text.hpp"
#include "attn/seq2seq/evaluation.hpp"
#include "attn/seq2seq/training.hpp"
#include "attn/support/io.hpp"
#include "attn/support/viz.hpp"
#include "attn/train/checkpoint.hpp"
#include "attn/support/runtime.hpp"
#include "attn/train/command_line.hpp"

namespace attn {

void add_seq2seq_options(CommandLine& cli, Seq2SeqOptions& options) {
    std::string recipe;  // set by the chapter before this call
    for (const auto& [task, epochs] : options.recipe_epochs) recipe += (recipe.empty() ? "" : ", ") + task + " " + std::to_string(epochs);
    cli.option("--task", options.task, "dates, toy, copy, reverse, sort, tatoeba (English-French), bible (English-Spanish), or a source<TAB>target file (Tatoeba format)" +
                                           (recipe.empty() ? std::string() : "; without --epochs the real tasks train the chapter's recipe: " + recipe + " epochs"));
    cli.option("--datasets", options.datasets, "the datasets/ folder");
    cli.option("--max-train", options.max_train, "train on the first N examples only (0 = all)");
    add_training_options(cli, options.train, options.learning_rate, "sentences");
    cli.option("--seed", options.seed, "random seed: initial weights, batch order, dropout");
    cli.option("--out", options.out, "folder for metrics.json, loss.svg, checkpoint/, best/ and (models that attend) heatmaps/ (default: out/" +
                                     options.chapter + "/<task>)");
    cli.option("--beam", options.beam, "beam width for test decoding (1 = greedy only)").range(1, 64);
    cli.option("--examples", options.examples, "test sentences to show (and draw heatmaps for)").range(0, 1000);
    cli.option("--threads", options.threads, "BLAS threads (1 is fastest for these sizes)").range(1, 256);
    cli.option("--translate", options.translate,
               "translate this sentence with the trained model in --out (repeatable; - reads lines from standard input); "
               "'source<TAB>reference' or 'source ||| reference' reads the reference instead: its log-probability and attention");
    cli.flag("--svg", options.svg, "with --translate: write a heatmap per sentence to <run>/translations/");
}

void apply_seq2seq_options(Seq2SeqOptions& options, const CommandLine& cli) {
    configure_runtime(options.threads);
    const auto recipe = options.recipe_epochs.find(options.task);
    if (recipe != options.recipe_epochs.end() && !cli.given("--epochs")) options.train.epochs = recipe->second;
    set_constant_learning_rate(options.train, options.learning_rate);
    options.train.folder = options.out.empty() ? "out/" + options.chapter + "/" + task_folder_name(options.task) : options.out;
}

Seq2SeqData load_and_describe(const Seq2SeqOptions& options) {
    Seq2SeqData data = load_seq2seq_data(options.task, options.datasets, options.max_train, options.seed);
    const std::string best = options.train.folder + "/best";
    if (!options.translate.empty() && has_checkpoint(best)) {
        // Translate with the words the model was trained on (its checkpoint records them), whatever
        // --max-train this command was given: rebuilt from the data, the ids could mean other words.
        const Identity trained = read_checkpoint_identity(best);
        for (auto [name, vocabulary] : {std::pair{"source vocabulary", &data.source_vocabulary}, {"target vocabulary", &data.target_vocabulary}}) {
            if (trained.count(name)) *vocabulary = Vocabulary::parse(trained.at(name), best + "/identity (" + name + ")");
        }
    }
    std::printf("task %s: %zu / %zu / %zu examples (train / valid / test), vocabularies %zu -> %zu\n", data.task.c_str(),
                data.train.size(), data.valid.size(), data.test.size(), data.source_vocabulary.size(),
                data.target_vocabulary.size());
    return data;
}

int translate_sentences(Seq2SeqModel& model, const Seq2SeqData& data, const Seq2SeqOptions& options) {
    const std::string best = options.train.folder + "/best";
    if (!has_checkpoint(best)) {
        throw std::runtime_error("no trained model in " + best + ": train first (same --task and sizes), or point --out at a run folder");
    }
    const Identity identity = seq2seq_identity(data, options.train);  // the same vocabularies as in training
    load_checkpoint(best, model, nullptr, nullptr, &identity);
    model.eval();
    std::vector<std::string> sentences;
    for (const std::string& s : options.translate) {
        if (s != "-") {
            sentences.push_back(s);
            continue;
        }
        for (std::string line; std::getline(std::cin, line);) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (!line.empty()) sentences.push_back(line);
        }
    }
    // "source<TAB>reference" or "source ||| reference": read the given translation instead of making one
    std::vector<Seq2SeqExample> examples;
    std::vector<bool> given;  // given[i]: example i has a reference to read
    for (const std::string& s : sentences) {
        std::size_t cut = s.find('\t'), skip = 1;
        if (cut == std::string::npos && (cut = s.find("|||")) != std::string::npos) skip = 3;
        const auto tokens = [&](const std::string& text) { return data.characters ? split_characters(text) : split_words(text, true); };
        Seq2SeqExample e;
        e.source = tokens(s.substr(0, cut));  // as the task's files were tokenised
        if (e.source.empty()) throw std::invalid_argument("--translate: an empty sentence");
        if (cut != std::string::npos) {
            e.target = tokens(s.substr(cut + skip));
            if (e.target.empty()) throw std::invalid_argument("--translate: an empty reference after '" + detokenize(e.source, data.characters) + "'");
        }
        given.push_back(cut != std::string::npos);
        examples.push_back(std::move(e));
    }
    std::vector<Seq2SeqExample> to_translate, to_read;
    for (std::size_t i = 0; i < examples.size(); ++i) (given[i] ? to_read : to_translate).push_back(examples[i]);
    const std::vector<Translation> translated = translate(model, to_translate, data, options.beam);
    const std::vector<Translation> read = read_references(model, to_read, data);
    for (std::size_t i = 0, next_translated = 0, next_read = 0; i < examples.size(); ++i) {
        const Translation& t = given[i] ? read[next_read++] : translated[next_translated++];
        const Tokens& source = examples[i].source;
        const char* what = given[i] ? "reference" : "output";
        Tokens unknown;
        for (const std::string& w : source) if (data.source_vocabulary.id(w) == Vocabulary::unk) unknown.push_back(w);
        for (const std::string& w : examples[i].target) if (data.target_vocabulary.id(w) == Vocabulary::unk) unknown.push_back(w);
        const int width = given[i] ? 11 : 9;  // "source:" and what follows it, aligned
        std::printf("%s%-*s%s\n%-*s%s\nlog p(%s | source) = %.3f (%zu tokens)%s\n", i ? "\n" : "", width, "source:",
                    detokenize(source, data.characters).c_str(), width, (std::string(what) + ":").c_str(),
                    detokenize(t.output, data.characters).c_str(), what, t.log_probability, t.output.size() + 1,
                    unknown.empty() ? "" : ("; not in the vocabulary, read as <unk>: " + join(unknown, ", ")).c_str());
        if (t.attention.empty()) continue;
        Tokens rows = t.output;
        if (t.attention.size() > rows.size()) rows.push_back("<eos>");
        const Matrix weights(t.attention.begin(), t.attention.begin() + long(rows.size()));
        std::printf("%s", attention_terminal(weights, rows, source).c_str());
        if (options.svg) {
            HeatmapText text;
            text.title = "source: " + detokenize(source, data.characters);
            text.subtitle = (given[i] ? "reading the reference: " : "model output: ") + detokenize(t.output, data.characters);
            const std::string path = options.train.folder + "/translations/sentence_" + std::to_string(i) + ".svg";
            write_file_atomically(path, attention_svg(weights, rows, source, text));
            std::printf("wrote %s\n", path.c_str());
        }
    }
    return 0;
}

TrainReport train_and_describe(Seq2SeqModel& model, const Seq2SeqData& data, const Seq2SeqOptions& options, Rng& rng) {
    const TrainReport training = train_seq2seq(model, data, options.train, rng);
    std::printf("trained %d epochs in %.1f s%s; best validation loss %.4f after epoch %d (the model tested)\n",
                training.epochs_done, training.seconds,
                training.stopped_by_budget ? " (stopped by --budget)" : training.stopped_early ? " (stopped early: --patience)" : "",
                training.best().loss, training.best_epoch);
    return training;
}


}  // namespace attn
