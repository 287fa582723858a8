// chapters/04_han/model.hpp — Yang, Yang, Dyer, He, Smola & Hovy 2016, "Hierarchical Attention
// Networks for Document Classification", in the paper's symbols (section 2).
//
// Read top to bottom: the batch layout (documents -> sentences -> words, padded at both levels),
// attention pooling with a learned context vector (eq. 5-7 and 8-10), the word encoder, the
// sentence encoder, the classifier, and the mean-pooling baseline that replaces both attentions.
// Masks at both levels: a padded word or sentence gets weight exactly 0, an empty sentence or a
// one-sentence document works without NaN, and padding never changes a result (tested).
#pragma once

#include <cmath>

#include "attn/attn.hpp"
#include "attn/data/vocabulary.hpp"
#include "attn/nn/attention.hpp"
#include "attn/nn/layers.hpp"
#include "attn/nn/recurrent.hpp"

namespace ch04 {

using namespace attn;

// ---- Batches: B documents, up to S sentences each, up to T words per sentence -----------------------

struct Document {
    std::vector<std::vector<int>> sentences;  // word ids per sentence (a sentence may be empty)
    int label = 0;
};

struct DocumentBatch {
    Ids words;                             // (B*S, T): sentence b*S + i is sentence i of document b
    std::vector<int> words_per_sentence;   // (B*S): 0 for padding sentences
    std::vector<int> sentences_per_doc;    // (B)
    std::size_t B = 0, S = 0, T = 0;
};

inline DocumentBatch make_batch(const std::vector<Document>& docs, const std::vector<std::size_t>& which) {
    // EXERCISE ch4.make_batch (3 points): documents to a batch padded at both levels (sentences and words)
    DocumentBatch batch;
    batch.B = which.size();
    for (std::size_t d : which) {
        batch.S = std::max(batch.S, docs[d].sentences.size());
        for (const auto& s : docs[d].sentences) batch.T = std::max(batch.T, s.size());
    }
    batch.S = std::max<std::size_t>(batch.S, 1);
    batch.T = std::max<std::size_t>(batch.T, 1);
    std::vector<int> ids(batch.B * batch.S * batch.T, Vocabulary::pad);
    batch.words_per_sentence.assign(batch.B * batch.S, 0);
    for (std::size_t b = 0; b < batch.B; ++b) {
        const Document& doc = docs[which[b]];
        batch.sentences_per_doc.push_back(int(doc.sentences.size()));
        for (std::size_t i = 0; i < doc.sentences.size(); ++i) {
            const std::vector<int>& s = doc.sentences[i];
            std::copy(s.begin(), s.end(), ids.begin() + long((b * batch.S + i) * batch.T));
            batch.words_per_sentence[b * batch.S + i] = int(s.size());
        }
    }
    batch.words = Ids({batch.B * batch.S, batch.T}, std::move(ids));
    return batch;
    // END EXERCISE ch4.make_batch
}

// ---- Attention pooling with a context vector (eq. 5-7 for words, 8-10 for sentences) ----------------
//
//     u_t = tanh(W h_t + b)                 (N, T, A)
//     alpha_t = softmax_t(u_t^T u_ctx)      (N, T), over the real positions only
//     pooled = sum_t alpha_t h_t            (N, D)
//
// u_ctx (u_w or u_s) is a learned "which word/sentence is informative?" query.

class ContextAttention : public Module {
public:
    ContextAttention(std::size_t dim, std::size_t attention_dim, Rng& rng)
        : W(dim, attention_dim, rng), u(uniform({attention_dim, 1}, -0.1, 0.1, rng).set_requires_grad()) {}

    /// h (N, T, D), mask (N, T) with 1 at padding -> pooled (N, D), weights (N, T).
    Attention forward(const Tensor& h, const Tensor& mask) const {
        // EXERCISE ch4.attention_pooling (4 points): attention pooling with a context vector, masked at padding (eq. 5-7)
        const std::size_t N = h.shape(0), T = h.shape(1), A = u.shape(0);
        const Tensor u_t = tanh(W.forward(h));                                        // (N, T, A)
        const Tensor scores = reshape(matmul(reshape(u_t, {N * T, A}), u), {N, T});   // u_t^T u_ctx: (N, T)
        return attend(scores, h, mask);                                               // (N, D), (N, T)
        // END EXERCISE ch4.attention_pooling
    }

    Linear W;  // W and b
    Tensor u;  // the context vector (A, 1)

protected:
    void list(Lister& out) override {
        out.child("W", W);
        out.parameter("u", u);
    }
};

/// The baseline: the mean of h over the real positions (zero when there are none). (N, T, D) -> (N, D)
inline Tensor masked_mean(const Tensor& h, const Tensor& mask) {
    // EXERCISE ch4.masked_mean (2 points): the baseline: the mean over the real positions only
    const std::size_t N = h.shape(0), T = h.shape(1);
    const Tensor real_positions = 1.0 - mask;                                    // (N, T)
    const Tensor count = sum(real_positions, 1, true) + real(1e-9);              // (N, 1); empty rows stay 0
    return sum(h * reshape(real_positions, {N, T, 1}), 1) / count;              // (N, D)
    // END EXERCISE ch4.masked_mean
}

// ---- The network -----------------------------------------------------------------------------------

struct Config {
    std::size_t embedding = 32;           // E
    std::size_t word_hidden = 32;         // per direction
    std::size_t sentence_hidden = 32;     // per direction
    std::size_t attention = 64;           // A, both levels
    bool attention_pooling = true;        // false: the mean-pooling baseline
    real dropout = 0;
};

class Han : public Module {
public:
    Han(std::size_t vocabulary, std::size_t classes, const Config& config_, Rng& rng)
        : config(config_),
          embedding(vocabulary, config.embedding, rng, Vocabulary::pad),
          word_encoder(config.embedding, config.word_hidden, rng, {CellType::gru, 1, true, 0}),
          word_attention(2 * config.word_hidden, config.attention, rng),
          sentence_encoder(2 * config.word_hidden, config.sentence_hidden, rng, {CellType::gru, 1, true, 0}),
          sentence_attention(2 * config.sentence_hidden, config.attention, rng),
          classifier(2 * config.sentence_hidden, classes, rng),
          drop(config.dropout) {}

    struct Output {
        Tensor logits;            // (B, C)
        Tensor word_weights;      // (B*S, T) alpha_it (attention pooling only)
        Tensor sentence_weights;  // (B, S)   alpha_i
    };

    Output forward(const DocumentBatch& batch, Rng& rng) const {
        const std::size_t B = batch.B, S = batch.S, T = batch.T;
        Output out;
        // Word encoder (2.2): a bidirectional GRU over each sentence's words; h_it = [->h_it; <-h_it]
        const Tensor x = drop.forward(embedding.forward(batch.words), rng);              // (B*S, T, E)
        const Tensor h = word_encoder.forward(x, batch.words_per_sentence, rng).outputs;  // (B*S, T, 2Hw)
        const Tensor word_mask = padding_mask(batch.words_per_sentence, T);             // (B*S, T)
        // Word attention: s_i = sum_t alpha_it h_it
        Tensor s;
        if (config.attention_pooling) {
            const Attention a = word_attention.forward(h, word_mask);
            s = a.context;                                                              // (B*S, 2Hw)
            out.word_weights = a.weights;
        } else {
            s = masked_mean(h, word_mask);
        }
        // Sentence encoder (2.2): a bidirectional GRU over s_i; h_i = [->h_i; <-h_i]
        const Tensor sentences = reshape(s, {B, S, s.shape(1)});                        // (B, S, 2Hw)
        const Tensor h_i = sentence_encoder.forward(sentences, batch.sentences_per_doc, rng).outputs;  // (B, S, 2Hs)
        const Tensor sentence_mask = padding_mask(batch.sentences_per_doc, S);          // (B, S)
        // Sentence attention: v = sum_i alpha_i h_i
        Tensor v;
        if (config.attention_pooling) {
            const Attention a = sentence_attention.forward(h_i, sentence_mask);
            v = a.context;                                                              // (B, 2Hs)
            out.sentence_weights = a.weights;
        } else {
            v = masked_mean(h_i, sentence_mask);
        }
        // Document classification (2.3): p = softmax(W_c v + b_c)
        out.logits = classifier.forward(drop.forward(v, rng));                          // (B, C)
        return out;
    }

    Tensor loss(const DocumentBatch& batch, const Ids& labels, Rng& rng) const {
        return cross_entropy(forward(batch, rng).logits, labels);  // -log p of the right class, mean over documents
    }

    Config config;
    Embedding embedding;
    Recurrent word_encoder;
    ContextAttention word_attention;
    Recurrent sentence_encoder;
    ContextAttention sentence_attention;
    Linear classifier;
    Dropout drop;

protected:
    void list(Lister& out) override {
        out.child("embedding", embedding);
        out.child("word_encoder", word_encoder);
        if (config.attention_pooling) out.child("word_attention", word_attention);
        out.child("sentence_encoder", sentence_encoder);
        if (config.attention_pooling) out.child("sentence_attention", sentence_attention);
        out.child("classifier", classifier);
        out.child("drop", drop);  // listed so that eval() switches it off
    }
};

}  // namespace ch04
