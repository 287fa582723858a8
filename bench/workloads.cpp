// The seven benchmark workloads (see workloads.hpp). FLOP counts cover the matrix products only
// (the elementwise work is a few percent of them at these sizes); backward costs two products per
// forward product, so a step is 3x the forward count.
#include "workloads.hpp"

#include <stdexcept>

#include "../chapters/02_bahdanau/model.hpp"
#include "../chapters/03_luong/model.hpp"
#include "../chapters/04_han/model.hpp"
#include "../chapters/05_transformer/model.hpp"
#include "../chapters/06_bert/model.hpp"
#include "../chapters/07_afm/model.hpp"
#include "attn/train/loop.hpp"
#include "attn/train/loss.hpp"

namespace bench {

using namespace attn;

namespace {

constexpr std::uint64_t seed = 1;
constexpr real learning_rate = real(1e-3);

/// Random ids in [4, vocabulary): never a special token, so there is no padding anywhere.
std::vector<std::vector<int>> random_ids(std::size_t rows, std::size_t length, std::size_t vocabulary, Rng& rng) {
    std::vector<std::vector<int>> ids(rows, std::vector<int>(length));
    for (auto& row : ids)
        for (int& id : row) id = 4 + int(rng.below(vocabulary - 4));
    return ids;
}

/// Source (B, S) and target (B, T) for the seq2seq workloads; the decoder reads <bos> y_1..y_{T-1}
/// and predicts y_1..y_T, so every one of the T target positions is scored.
PairBatch random_pairs(std::size_t B, std::size_t S, std::size_t T, std::size_t V, Rng& rng) {
    const std::vector<std::vector<int>> sources = random_ids(B, S, V, rng), targets = random_ids(B, T - 1, V, rng);
    return make_pair_batch(sources, targets);  // T - 1 tokens + <eos>: T positions
}

/// Forward FLOPs of one GRU (gates = 3) or LSTM (gates = 4) step over a batch.
double cell_flops(double B, double in, double H, double gates) { return 2 * B * in * gates * H + 2 * B * H * gates * H; }

/// Wraps a model and its loss into a step of the library's trainer: forward, backward, Adam
/// (no clipping, a constant learning rate).
template <class Model, class Loss>
std::function<void()> training_step(std::shared_ptr<Model> model, Loss loss) {
    TrainOptions options;
    options.clip = 0;
    options.learning_rate = std::make_shared<ConstantSchedule>(learning_rate);
    auto trainer = std::make_shared<Trainer>(*model, options);
    return [model, trainer, loss] { trainer->step([&] { return loss(*model); }); };
}

// ---- B1: a GRU encoder-decoder; the encoder's final state starts the decoder ----------------------

struct Seq2Seq : Module {
    Embedding source_embedding, target_embedding;
    Recurrent encoder, decoder;
    Linear output;
    Seq2Seq(std::size_t V, std::size_t E, std::size_t H, Rng& rng)
        : source_embedding(V, E, rng), target_embedding(V, E, rng), encoder(E, H, rng, {CellType::gru, 1, false, 0}),
          decoder(E, H, rng, {CellType::gru, 1, false, 0}), output(H, V, rng) {}
    Tensor loss(const PairBatch& batch, Rng& rng) const {
        const auto encoded = encoder.forward(source_embedding.forward(batch.source.ids), batch.source.lengths, rng);
        const Tensor s = decoder.forward(target_embedding.forward(batch.target_in), batch.target_lengths, rng,
                                         encoded.final_states).outputs;                 // (B, T, H), teacher forcing
        return token_cross_entropy(output.forward(s), batch.target_out, Vocabulary::pad);
    }
    void list(Lister& out) override {
        out.child("source_embedding", source_embedding);
        out.child("target_embedding", target_embedding);
        out.child("encoder", encoder);
        out.child("decoder", decoder);
        out.child("output", output);
    }
};

Workload b1() {
    const std::size_t B = 64, S = 20, T = 20, V = 64, E = 64, H = 128;
    Rng rng(seed);
    auto model = std::make_shared<Seq2Seq>(V, E, H, rng);
    auto batch = std::make_shared<PairBatch>(random_pairs(B, S, T, V, rng));
    auto step_rng = std::make_shared<Rng>(seed);
    const double forward = (S + T) * cell_flops(B, E, H, 3) + 2.0 * B * T * H * V;
    return {"B1 seq2seq", double(B * T), 3 * forward,
            training_step(model, [batch, step_rng](const Seq2Seq& m) { return m.loss(*batch, *step_rng); })};
}

// ---- B2-B5: the chapters' own models ------------------------------------------------------------------

Workload b2() {
    const std::size_t B = 64, S = 20, T = 20, V = 64, E = 64, H = 128, A = 128;
    Rng rng(seed);
    auto model = std::make_shared<ch02::Bahdanau>(V, V, ch02::Config{E, H, A, 0}, rng);
    auto batch = std::make_shared<PairBatch>(random_pairs(B, S, T, V, rng));
    auto step_rng = std::make_shared<Rng>(seed);
    const double encoder = 2.0 * S * cell_flops(B, E, H, 3);
    const double s0 = 2.0 * B * H * H, keys = 2.0 * B * S * 2 * H * A;
    const double per_step = 2.0 * B * H * A + 2.0 * B * S * A + 2.0 * B * S * 2 * H  // W_a s, v_a^T, c_t
                            + cell_flops(B, E + 2 * H, H, 3) + 2.0 * B * 3 * H * V;     // decoder, output
    return {"B2 Bahdanau", double(B * T), 3 * (encoder + s0 + keys + T * per_step),
            training_step(model, [batch, step_rng](const ch02::Bahdanau& m) { return m.loss(*batch, *step_rng); })};
}

Workload b3() {
    const std::size_t B = 64, S = 20, T = 20, V = 64, E = 64, H = 128;
    Rng rng(seed);
    ch03::Config config;
    config.embedding = E;
    config.hidden = H;
    config.alignment = ch03::Alignment::global;
    config.score = ch03::Score::general;
    config.input_feeding = true;
    auto model = std::make_shared<ch03::Luong>(V, V, config, rng);
    auto batch = std::make_shared<PairBatch>(random_pairs(B, S, T, V, rng));
    auto step_rng = std::make_shared<Rng>(seed);
    const double encoder = S * cell_flops(B, E, H, 4), keys = 2.0 * B * S * H * H;
    const double per_step = cell_flops(B, E + H, H, 4) + 2.0 * B * S * H + 2.0 * B * S * H  // decoder, score, c_t
                            + 2.0 * B * 2 * H * H + 2.0 * B * H * V;                      // W_c, output
    return {"B3 Luong", double(B * T), 3 * (encoder + keys + T * per_step),
            training_step(model, [batch, step_rng](const ch03::Luong& m) { return m.loss(*batch, *step_rng); })};
}

Workload b4() {
    const std::size_t B = 32, S = 8, W = 16, V = 5000, E = 64, H = 32, A = 64, C = 5;
    Rng rng(seed);
    ch04::Config config;
    config.embedding = E;
    config.word_hidden = config.sentence_hidden = H;
    config.attention = A;
    auto model = std::make_shared<ch04::Han>(V, C, config, rng);
    std::vector<ch04::Document> documents(B);
    std::vector<std::size_t> which;
    std::vector<int> labels;
    for (std::size_t d = 0; d < B; ++d) {
        documents[d].sentences = random_ids(S, W, V, rng);
        documents[d].label = int(rng.below(C));
        which.push_back(d);
        labels.push_back(documents[d].label);
    }
    auto batch = std::make_shared<ch04::DocumentBatch>(ch04::make_batch(documents, which));
    auto targets = std::make_shared<Ids>(labels);
    auto step_rng = std::make_shared<Rng>(seed);
    const double N = double(B * S);  // sentences
    const double words = 2.0 * W * cell_flops(N, E, H, 3) + 2.0 * N * W * 2 * H * A + 2.0 * N * W * A + 2.0 * N * W * 2 * H;
    const double sentences = 2.0 * S * cell_flops(B, 2 * H, H, 3) + 2.0 * B * S * 2 * H * A + 2.0 * B * S * A + 2.0 * B * S * 2 * H;
    return {"B4 HAN", double(B * S * W), 3 * (words + sentences + 2.0 * B * 2 * H * C),
            training_step(model, [batch, targets, step_rng](const ch04::Han& m) { return m.loss(*batch, *targets, *step_rng); })};
}

Workload b5() {
    const std::size_t B = 64, S = 32, T = 32, V = 1000, D = 128, F = 512, layers = 2;
    Rng rng(seed);
    ch05::Config config;
    config.d_model = D;
    config.heads = 4;
    config.d_ff = F;
    config.layers = layers;
    config.dropout = 0;
    config.label_smoothing = 0;
    auto model = std::make_shared<ch05::Transformer>(V, V, config, rng);
    auto batch = std::make_shared<PairBatch>(random_pairs(B, S, T, V, rng));
    auto step_rng = std::make_shared<Rng>(seed);
    const double b = double(B), d = double(D);
    const double encoder_layer = 4 * 2 * b * S * d * d + 2 * (2 * b * S * S * d) + 2 * 2 * b * S * d * F;
    const double decoder_layer = 4 * 2 * b * T * d * d + 2 * (2 * b * T * T * d)                 // self-attention
                                 + 2 * 2 * b * T * d * d + 2 * 2 * b * S * d * d + 2 * (2 * b * T * S * d)  // cross
                                 + 2 * 2 * b * T * d * F;
    const double forward = layers * (encoder_layer + decoder_layer) + 2 * b * T * d * V;
    return {"B5 Transformer", double(B * T), 3 * forward,
            training_step(model, [batch, step_rng](const ch05::Transformer& m) { return m.loss(*batch, *step_rng); })};
}

Workload b6() {
    // Chapter 6's default step: masked LM + next-sentence prediction on pairs of verses. The
    // chapter batches pairs of similar length, about 47 pieces on average: here every pair is
    // [CLS] 22 pieces [SEP] 23 pieces [SEP] (T = 48), half of them "IsNext". Dropout 0.1 as the
    // chapter (PyTorch's encoder layer drops in the same three places).
    const std::size_t B = 64, first = 22, second = 23, V = 3000, D = 128, F = 256, layers = 2;
    Rng rng(seed);
    ch06::Config config;
    config.d_model = D;
    config.heads = 4;
    config.d_ff = F;
    config.layers = layers;
    config.max_positions = 64;
    auto model = std::make_shared<ch06::Pretraining>(V, config, true, rng);
    // the chosen positions drawn once with the chapter's own masking (15% of 45: 7 per pair), the same every step
    auto batch = std::make_shared<ch06::PretrainingBatch>();
    std::vector<ch06::Sequence> sequences;
    std::vector<int> chosen, targets, is_next;
    const std::vector<std::vector<int>> a = random_ids(B, first, V, rng), b = random_ids(B, second, V, rng);
    const std::size_t T = first + second + 3;
    for (std::size_t row = 0; row < B; ++row) {
        ch06::Sequence s = ch06::make_sequence(a[row], b[row], config.max_positions);
        const ch06::Masked m = ch06::mask_tokens(s.tokens, ch06::MaskingOptions(), V, rng);
        for (std::size_t k = 0; k < m.positions.size(); ++k) {
            chosen.push_back(int(row * T + m.positions[k]));
            targets.push_back(m.targets[k]);
        }
        s.tokens = m.tokens;
        sequences.push_back(s);
        is_next.push_back(int(row % 2));
    }
    batch->input = ch06::pad(sequences);  // (B, T)
    batch->chosen = Ids(chosen);
    batch->targets = Ids(targets);
    batch->is_next = Ids(is_next);
    auto step_rng = std::make_shared<Rng>(seed);
    const double n = double(B), d = double(D), M = double(chosen.size());
    const double layer = 4 * 2 * n * T * d * d + 2 * (2 * n * T * T * d) + 2 * 2 * n * T * d * F;
    const double mlm = 2 * M * d * d + 2 * M * d * V;  // the transform, then the tied output
    const double nsp = 2 * n * d * d + 2 * n * d * 2;  // the pooler, then IsNext / NotNext
    return {"B6 BERT", double(B * T), 3 * (layers * layer + mlm + nsp),
            training_step(model, [batch, step_rng](const ch06::Pretraining& m) {
                const ch06::Pretraining::Losses l = m.forward(*batch, *step_rng);
                return l.mlm + l.nsp;
            })};
}

Workload b7() {
    const std::size_t B = 256, m = 12, per_field = 20, K = 8, t = 16;  // chapter 7's defaults on its planted data's shape
    Rng rng(seed);
    ch07::Config config;
    config.k = K;
    config.t = t;
    auto model = std::make_shared<ch07::Afm>(m * per_field, m, config, rng);
    std::vector<int> features(B * m);
    std::vector<real> y(B);
    for (std::size_t i = 0; i < B * m; ++i) features[i] = int((i % m) * per_field + rng.below(per_field));  // field f: ids [20f, 20f + 20)
    for (real& target : y) target = real(rng.normal());
    auto batch = std::make_shared<ch07::FeatureBatch>(
        ch07::FeatureBatch{Ids({B, m}, features), Tensor::full({B, m}, 1), Tensor::from({B}, y)});
    auto step_rng = std::make_shared<Rng>(seed);
    const double b = double(B), P = double(m * (m - 1) / 2), k = double(K), a = double(t);
    const double forward = 2 * b * P * k * a + 2 * b * P * a + 2 * b * P * k + 2 * b * k;  // attention network, weights, pooling, p^T f
    return {"B7 AFM", b, 3 * forward, training_step(model, [batch, step_rng](const ch07::Afm& afm) { return afm.loss(*batch, *step_rng); })};
}

}  // namespace

Workload make_workload(int index) {
    switch (index) {
        case 1: return b1();
        case 2: return b2();
        case 3: return b3();
        case 4: return b4();
        case 5: return b5();
        case 6: return b6();
        case 7: return b7();
        default: throw std::invalid_argument("workload " + std::to_string(index) + " does not exist (1-7)");
    }
}

}  // namespace bench
