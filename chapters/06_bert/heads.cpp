// What the pretrained heads attend to (see heads.hpp).
#include "heads.hpp"

#include <cmath>

#include "fine_tuning.hpp"
#include "attn/data/batching.hpp"
#include "attn/support/io.hpp"
#include "attn/support/viz.hpp"
#include "attn/tape.hpp"

namespace ch06 {

using namespace attn;

std::vector<std::vector<HeadProfile>> profile_heads(const ch06::Encoder& encoder, const std::vector<Verse>& verses) {
    NoRecording off;
    Rng unused(0);
    std::vector<std::vector<HeadProfile>> profiles;
    double queries = 0;
    for (const auto& rows : make_batches(std::vector<std::size_t>(verses.size(), 1), 128, false, nullptr)) {
        const ch06::Batch batch = ch06::single_verses(verses, rows, encoder.config.max_positions);
        std::vector<Tensor> weights;
        encoder.forward(batch, unused, &weights);
        profiles.resize(weights.size(), std::vector<HeadProfile>(encoder.config.heads));
        const std::size_t T = batch.tokens.shape[1], A = encoder.config.heads;
        for (std::size_t l = 0; l < weights.size(); ++l) {
            const std::vector<real> w = weights[l].values();  // (B, A, T, T)
            for (std::size_t b = 0; b < rows.size(); ++b) {
                const std::size_t n = batch.lengths[b];
                for (std::size_t a = 0; a < A; ++a) {
                    HeadProfile& p = profiles[l][a];
                    for (std::size_t q = 0; q < n; ++q) {
                        const real* row = &w[((b * A + a) * T + q) * T];
                        if (q > 0) p.previous += row[q - 1];
                        p.self += row[q];
                        if (q + 1 < n) p.next += row[q + 1];
                        p.cls += row[0];
                        p.sep += row[n - 1];
                        for (std::size_t k = 0; k < n; ++k) if (row[k] > 0) p.entropy -= double(row[k]) * std::log(double(row[k]));
                    }
                }
            }
        }
        for (std::size_t b = 0; b < rows.size(); ++b) queries += double(batch.lengths[b]);
    }
    for (auto& layer : profiles) {
        for (HeadProfile& p : layer) {
            for (double* x : {&p.previous, &p.self, &p.next, &p.cls, &p.sep, &p.entropy}) *x /= queries;
        }
    }
    return profiles;
}

void draw_heads(const ch06::Encoder& encoder, const WordPiece& vocabulary, const std::vector<int>& pieces, const std::string& dir) {
    NoRecording off;
    Rng unused(0);
    const ch06::Batch batch = ch06::pad({ch06::make_sequence(pieces, {}, encoder.config.max_positions)});
    std::vector<Tensor> weights;
    encoder.forward(batch, unused, &weights);
    std::vector<std::string> labels;
    for (int id : batch.tokens.values) labels.push_back(vocabulary.piece(id));
    const std::size_t T = labels.size();
    for (std::size_t l = 0; l < weights.size(); ++l) {
        for (std::size_t a = 0; a < encoder.config.heads; ++a) {
            Matrix m(T, std::vector<double>(T));
            for (std::size_t i = 0; i < T; ++i)
                for (std::size_t j = 0; j < T; ++j) m[i][j] = weights[l].at({0, a, i, j});
            HeatmapText text;
            text.title = "BERT self-attention, layer " + std::to_string(l) + ", head " + std::to_string(a);
            text.row_axis = "query piece";
            text.column_axis = "key piece";
            write_file_atomically(dir + "/layer" + std::to_string(l) + "_head" + std::to_string(a) + ".svg", attention_svg(m, labels, labels, text));
        }
    }
}

}  // namespace ch06
