// chapters/05_transformer/main.cpp — chapter 5: the Transformer on the tasks of chapters 1-3.
//
//   build/chapters/05_transformer/05_transformer                          dates -> ISO 8601
//   build/chapters/05_transformer/05_transformer --task copy --epochs 2   the copy task
//   build/chapters/05_transformer/05_transformer --experiment scaling     why 1/sqrt(d_k)
//   build/chapters/05_transformer/05_transformer --task reverse --no-positions   why positions
//
// data -> model -> training (Noam schedule, label smoothing) -> test metrics -> heatmaps of every
// layer and head for one example.
#include <cstdio>
#include <map>
#include <stdexcept>

#include "model.hpp"
#include "attn/support/io.hpp"
#include "attn/train/optim.hpp"
#include "attn/seq2seq/report.hpp"
#include "attn/seq2seq/training.hpp"
#include "attn/support/viz.hpp"

using namespace attn;

// ---- Experiment 1: why divide the scores by sqrt(d_k)? ----------------------------------------------------
//
// For queries and keys with independent unit-variance components, q.k has variance d_k. Without the
// scale, softmax over such scores saturates as d_k grows: one key takes almost all the weight, and
// the gradient that reaches the scores vanishes. We measure both with the engine's own softmax.

void scaling_experiment(std::uint64_t seed) {
    Rng rng(seed);
    const std::size_t keys = 32, trials = 200;
    std::printf("softmax over %zu keys, q and k with N(0, 1) components, %zu trials per row\n\n", keys, trials);
    std::printf("| d_k | scale | std of scores | largest weight (mean) | entropy (nats) | gradient norm at the scores |\n");
    std::printf("|---|---|---|---|---|---|\n");
    for (std::size_t d : {4, 16, 64, 256, 1024}) {
        for (bool scaled : {false, true}) {
            double spread = 0, top = 0, entropy = 0, gradient = 0;
            for (std::size_t trial = 0; trial < trials; ++trial) {
                const Tensor q = normal({1, d}, 0, 1, rng), k = normal({keys, d}, 0, 1, rng);
                Tensor scores = matmul(q, k, Trans::no, Trans::yes);  // (1, keys): q.k_j
                if (scaled) scores = scores * real(1 / std::sqrt(double(d)));
                scores = scores.detach().set_requires_grad();
                const Tensor upstream = normal({1, keys}, 0, 1, rng);  // a random dL/d(weights)
                Tape tape;
                Tensor w;
                {
                    Recording on(tape);
                    w = softmax(scores, -1);
                    tape.backward(sum(w * upstream));
                }
                double mean_score = 0, var = 0, best = 0, h = 0, g = 0;
                for (real s : scores.values()) mean_score += s / double(keys);
                for (real s : scores.values()) var += (s - mean_score) * (s - mean_score) / double(keys);
                for (real p : w.values()) {
                    best = std::max(best, double(p));
                    if (p > 0) h -= p * std::log(double(p));
                }
                for (real x : scores.grad().values()) g += double(x) * double(x);
                spread += std::sqrt(var) / trials;
                top += best / trials;
                entropy += h / trials;
                gradient += std::sqrt(g) / trials;
            }
            std::printf("| %zu | %s | %.2f | %.3f | %.3f | %.2e |\n", d, scaled ? "1/sqrt(d_k)" : "none", spread, top, entropy, gradient);
        }
    }
    std::printf("\n(uniform weights over %zu keys: largest 0.031, entropy %.3f nats)\n", keys, std::log(double(keys)));
}

// ---- Heatmaps of every layer and head for one example -------------------------------------------------------

void draw_all_heads(const ch05::Transformer& model, const Seq2SeqData& data, const Seq2SeqExample& example, const std::string& dir) {
    NoRecording off;
    Rng unused(0);
    const Tokens output = [&] {  // the model's own translation, so the decoder heatmaps read its output
        const PaddedBatch one = pad_batch({data.source_vocabulary.encode(example.source)}, Vocabulary::pad);
        SearchOptions search;
        search.max_length = 2 * example.target.size() + 10;
        const StepFunction step = [&](const std::vector<int>& p, DecoderState& s) { return model.step(p, s); };
        return data.target_vocabulary.decode(greedy_search(step, model.start(one), search)[0].tokens);
    }();
    const PaddedBatch source = pad_batch({data.source_vocabulary.encode(example.source)}, Vocabulary::pad);
    std::vector<int> in{Vocabulary::bos};
    for (int id : data.target_vocabulary.encode(output)) in.push_back(id);
    Tokens in_tokens{"<bos>"};  // what the decoder reads: the columns of its self-attention
    in_tokens.insert(in_tokens.end(), output.begin(), output.end());
    Tokens predicted = output;  // what each decoder position predicts: the rows of every decoder map
    predicted.push_back("<eos>");
    std::vector<Tensor> encoder_weights, self_weights, cross_weights;
    const ch05::Transformer::Encoded e = model.encode(source, unused, &encoder_weights);
    model.decode(Ids({1, in.size()}, in), e, unused, &self_weights, &cross_weights);
    const std::string subtitle = "source: " + detokenize(example.source, data.characters) +
                                 "   model output: " + detokenize(output, data.characters);
    auto draw = [&](const Tensor& w, const Tokens& rows, const Tokens& cols, const std::string& file, const std::string& what,
                    const std::string& row_axis, const std::string& column_axis, std::size_t layer) {
        for (std::size_t h = 0; h < w.shape(1); ++h) {
            Matrix m(rows.size(), std::vector<double>(cols.size()));
            for (std::size_t i = 0; i < rows.size(); ++i)
                for (std::size_t j = 0; j < cols.size(); ++j) m[i][j] = w.at({0, h, i, j});
            HeatmapText text;
            text.title = what + ", layer " + std::to_string(layer) + ", head " + std::to_string(h);
            text.subtitle = subtitle;
            text.row_axis = row_axis;
            text.column_axis = column_axis;
            write_file_atomically(dir + "/" + file + "_layer" + std::to_string(layer) + "_head" + std::to_string(h) + ".svg",
                                  attention_svg(m, rows, cols, text));
        }
    };
    // Rows are always the token being produced: a source position for the encoder, the token a
    // decoder position predicts (it reads the one before it) for the decoder's two attentions.
    for (std::size_t l = 0; l < encoder_weights.size(); ++l) {
        draw(encoder_weights[l], example.source, example.source, "encoder_self", "encoder self-attention", "source (query)",
             "source (key)", l);
        draw(self_weights[l], predicted, in_tokens, "decoder_self", "decoder self-attention (causal)",
             "output (the token this position predicts)", "decoder input (key)", l);
        draw(cross_weights[l], predicted, example.source, "cross", "cross-attention", "output (the token this position predicts)",
             "source", l);
    }
    std::printf("wrote heatmaps of %zu layers x %zu heads x 3 attentions to %s/\n", encoder_weights.size(), model.config.heads, dir.c_str());
}

// ---- BatchNorm: what do its running averages cost? -----------------------------------------------------------
//
// In evaluation BatchNorm normalises with running averages of the training batches' statistics.
// The validation loss with those, and with each validation batch's own statistics as in training,
// side by side (README, "Which normalisation?").

void batch_statistics_experiment(ch05::Transformer& model, const Seq2SeqData& data, std::size_t batch_size) {
    std::vector<BatchNorm*> norms{&model.final_encoder_norm.batch, &model.final_decoder_norm.batch};
    for (auto& layer : model.encoder) norms.insert(norms.end(), {&layer->first.norm.batch, &layer->second.norm.batch});
    for (auto& layer : model.decoder) {
        norms.insert(norms.end(), {&layer->first.norm.batch, &layer->second.norm.batch, &layer->third.norm.batch});
    }
    model.eval();
    NoRecording off;
    const Seq2SeqTraining task(model, data, batch_size);
    const double running = task.validate().loss;
    for (BatchNorm* n : norms) n->batch_statistics_in_evaluation = true;
    const double own = task.validate().loss;
    for (BatchNorm* n : norms) n->batch_statistics_in_evaluation = false;
    std::printf("BatchNorm: validation loss %.4f with the running averages, %.4f with each validation batch's own statistics\n\n",
                running, own);
}

// ---- main ------------------------------------------------------------------------------------------------

int main(int argc, char** argv) {
    Seq2SeqOptions options;
    options.chapter = "05_transformer";
    options.task = "dates";
    options.datasets = ATTN_DATASETS_DIR;
    options.train.epochs = 6;
    options.recipe_epochs = {{"tatoeba", 16}, {"bible", 5}};  // measured: README of chapter 2, "Real language"
    options.train.clip = 0;  // the paper does not clip
    ch05::Config config;
    std::string experiment;
    long warmup = 100;
    double factor = 0.5, dropout = 0, smoothing = 0.1;  // dropout: see README, "Settings"
    std::string norm = "layer";
    bool no_positions = false;
    CommandLine cli("attn chapter 5: the Transformer — attention is all you need");
    add_seq2seq_options(cli, options);
    cli.option("--d-model", config.d_model, "model width d_model").at_least(1);
    cli.option("--heads", config.heads, "attention heads h").at_least(1);
    cli.option("--d-ff", config.d_ff, "feed-forward inner width").at_least(1);
    cli.option("--layers", config.layers, "N: encoder and decoder layers").range(1, 24);
    cli.option("--dropout", dropout, "P_drop").range(0, 0.9);
    cli.option("--smoothing", smoothing, "label smoothing eps_ls").range(0, 0.9);
    cli.option("--warmup", warmup, "Noam schedule warm-up steps").at_least(1);
    cli.option("--factor", factor, "Noam schedule factor").range(1e-6, 100);
    cli.flag("--pre-norm", config.pre_norm, "pre-norm sublayers (default: post-norm, as the paper)");
    cli.option("--norm", norm, "layer (the paper), batch, rms or none: the normalisation study (README)");
    cli.flag("--no-positions", no_positions, "leave out the positional encoding (experiment 2)");
    cli.flag("--share-embeddings", config.share_embeddings, "one embedding table for source and target");
    cli.flag("--tie-output", config.tie_output, "the output projection is the target embedding");
    cli.option("--experiment", experiment, "scaling: measure softmax saturation with and without 1/sqrt(d_k)");
    if (const auto code = cli.parse(argc, argv)) return *code;
    config.dropout = real(dropout);
    config.label_smoothing = real(smoothing);
    config.positions = !no_positions;
    const std::map<std::string, ch05::Normalization> norms{{"layer", ch05::Normalization::layer}, {"batch", ch05::Normalization::batch},
                                                          {"rms", ch05::Normalization::rms}, {"none", ch05::Normalization::none}};
    if (norms.count(norm) == 0) {
        std::fprintf(stderr, "05_transformer: --norm must be layer, batch, rms or none, got '%s'\n", norm.c_str());
        return 2;
    }
    config.norm = norms.at(norm);
    apply_seq2seq_options(options, cli);

    try {
        if (experiment == "scaling") {
            scaling_experiment(options.seed);
            return 0;
        }
        if (!experiment.empty()) throw std::invalid_argument("unknown --experiment '" + experiment + "' (try scaling)");
        std::printf("== attn chapter 5: the Transformer (%s) ==\n", precision_name());
        Seq2SeqData data = load_and_describe(options);
        if (config.share_embeddings && options.translate.empty()) {  // one vocabulary for both sides (translating: the checkpoint's)
            std::vector<Tokens> corpus;
            for (const Seq2SeqExample& e : data.train) {
                corpus.push_back(e.source);
                corpus.push_back(e.target);
            }
            data.source_vocabulary = data.target_vocabulary = Vocabulary::build(corpus);
        }
        Rng rng(options.seed);
        ch05::Transformer model(data.source_vocabulary.size(), data.target_vocabulary.size(), config, rng);
        std::printf("model: %zu parameters (N %zu, d_model %zu, h %zu, d_ff %zu, %s, %s, positions %s)\n\n",
                    model.parameter_count(), config.layers, config.d_model, config.heads, config.d_ff, (norm + " norm").c_str(),
                    config.pre_norm ? "pre-norm" : "post-norm", config.positions ? "on" : "off");
        options.train.learning_rate = std::make_shared<NoamSchedule>(config.d_model, warmup, real(factor));
        options.train.beta1 = 0.9;
        options.train.beta2 = 0.98;  // 5.3
        options.train.loss_floor = ch05::Transformer::smoothing_floor(data.target_vocabulary.size(), smoothing);
        options.train.loss_floor_label = "floor set by label smoothing";
        // What the same parameters compute differently: a checkpoint resumes or translates only with these.
        options.train.identity["model"] = norm + " norm\n" + (config.pre_norm ? "pre-norm\n" : "post-norm\n") +
                                          (config.positions ? "positions on\n" : "positions off\n");
        if (smoothing > 0) std::printf("label smoothing %.2g: no loss can go below %.3f (README, \"The loss floor\")\n\n", smoothing, options.train.loss_floor);
        if (!options.translate.empty()) return translate_sentences(model, data, options);  // a trained model, new sentences
        const RunFolder run(options.chapter, options.train);  // locked; an earlier run is never silently replaced
        const TrainReport training = train_and_describe(model, data, options, rng);
        if (config.norm == ch05::Normalization::batch) batch_statistics_experiment(model, data, options.train.batch_size);

        JsonObject settings;
        settings.add("d_model", long(config.d_model)).add("heads", long(config.heads)).add("d_ff", long(config.d_ff))
            .add("layers", long(config.layers)).add("dropout", dropout).add("label_smoothing", smoothing)
            .add("norm", norm).add("placement", config.pre_norm ? "pre" : "post").add("positions", config.positions ? "on" : "off")
            .add("warmup", warmup).add("factor", factor).add("batch", long(options.train.batch_size));
        if (!options.train.folder.empty() && !data.test.empty()) {  // before the report, whose run page shows them
            model.eval();
            draw_all_heads(model, data, data.test[0], options.train.folder + "/heads");
        }
        report_seq2seq(model, data, options, training, config.positions ? "transformer" : "transformer/no-positions", settings);
    } catch (const std::exception& error) {
        return cli.fail("05_transformer", error);  // one line; 128 + the signal after Ctrl-C
    }
    return 0;
}
