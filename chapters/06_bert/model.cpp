// chapters/06_bert/model.cpp — the BERT model of model.hpp, composed from the library's layers.
#include "model.hpp"

#include <algorithm>
#include <stdexcept>

namespace ch06 {

// ---- The input ------------------------------------------------------------------------------------------------

Sequence make_sequence(std::vector<int> a, std::vector<int> b, std::size_t max_length) {
    const std::size_t specials = b.empty() ? 2 : 3;  // [CLS] A [SEP] (B [SEP])
    if (max_length <= specials) throw std::invalid_argument("make_sequence: max_length " + std::to_string(max_length) + " leaves no room for text");
    while (a.size() + b.size() + specials > max_length) (a.size() >= b.size() ? a : b).pop_back();
    Sequence s;
    s.tokens.push_back(WordPiece::cls);
    s.tokens.insert(s.tokens.end(), a.begin(), a.end());
    s.tokens.push_back(WordPiece::sep);
    s.segments.assign(s.tokens.size(), 0);
    if (!b.empty()) {
        s.tokens.insert(s.tokens.end(), b.begin(), b.end());
        s.tokens.push_back(WordPiece::sep);
        s.segments.resize(s.tokens.size(), 1);
    }
    return s;
}

Batch pad(const std::vector<Sequence>& sequences) {
    std::size_t T = 0;
    for (const Sequence& s : sequences) T = std::max(T, s.tokens.size());
    const std::size_t B = sequences.size();
    std::vector<int> tokens(B * T, WordPiece::pad), segments(B * T, 0);
    std::vector<real> padding(B * T, 1);
    Batch batch;
    for (std::size_t b = 0; b < B; ++b) {
        const Sequence& s = sequences[b];
        std::copy(s.tokens.begin(), s.tokens.end(), tokens.begin() + std::ptrdiff_t(b * T));
        std::copy(s.segments.begin(), s.segments.end(), segments.begin() + std::ptrdiff_t(b * T));
        std::fill(padding.begin() + std::ptrdiff_t(b * T), padding.begin() + std::ptrdiff_t(b * T + s.tokens.size()), real(0));
        batch.lengths.push_back(s.tokens.size());
    }
    batch.tokens = Ids({B, T}, tokens);
    batch.segments = Ids({B, T}, segments);
    batch.padding = Tensor::from({B, T}, padding);
    return batch;
}

// ---- The encoder ----------------------------------------------------------------------------------------------

Encoder::Encoder(std::size_t vocabulary, const Config& c, Rng& rng)
    : config(c),
      token_embedding(vocabulary, c.d_model, rng, WordPiece::pad),
      segment_embedding(2, c.d_model, rng),
      position_embedding(c.max_positions, c.d_model, rng),
      embedding_norm(c.d_model, real(1e-12)),  // BERT's LayerNorm epsilon
      drop(c.dropout) {
    if (c.d_model % c.heads != 0) throw std::invalid_argument("BERT: d_model must be divisible by the number of heads");
    // The three tables start as N(0, 0.02^2), BERT's initializer_range, not torch's N(0, 1): the
    // MLM head multiplies by the token table, and N(0, 1) rows would give logits of standard
    // deviation about sqrt(H), a first loss far above ln V.
    for (Embedding* table : {&token_embedding, &segment_embedding, &position_embedding}) {
        real* w = table->weight.data();
        for (std::size_t i = 0; i < table->weight.size(); ++i) w[i] *= real(0.02);
    }
    for (std::size_t l = 0; l < c.layers; ++l) layers.push_back(std::make_unique<EncoderLayer>(c.layer(), rng));
}

Tensor Encoder::forward(const Batch& batch, Rng& rng, std::vector<Tensor>* weights) const {
    const std::size_t B = batch.tokens.shape[0], T = batch.tokens.shape[1];
    if (T > config.max_positions) {
        throw std::invalid_argument("BERT: a sequence of " + std::to_string(T) + " pieces is longer than max_positions " +
                                    std::to_string(config.max_positions));
    }
    std::vector<int> t(T);
    for (std::size_t i = 0; i < T; ++i) t[i] = int(i);
    const Tensor positions = position_embedding.forward(Ids({T}, t));                                     // (T, H)
    Tensor h = token_embedding.forward(batch.tokens) + segment_embedding.forward(batch.segments) + positions;  // (B, T, H)
    h = drop.forward(embedding_norm.forward(h), rng);
    const Tensor mask = reshape(batch.padding, {B, 1, 1, T});  // padding keys are never attended to
    for (const auto& layer : layers) {
        Tensor w;
        h = layer->forward(h, mask, batch.padding, rng, weights ? &w : nullptr);  // (B, T, H)
        if (weights) weights->push_back(w);
    }
    return h;
}

void Encoder::list(Lister& out) {
    out.child("token_embedding", token_embedding);
    out.child("segment_embedding", segment_embedding);
    out.child("position_embedding", position_embedding);
    out.child("embedding_norm", embedding_norm);
    out.child("drop", drop);
    for (std::size_t l = 0; l < layers.size(); ++l) out.child("layer" + std::to_string(l), *layers[l]);
}

// ---- Masked language modelling ------------------------------------------------------------------------------

Masked mask_tokens(const std::vector<int>& tokens, const MaskingOptions& o, std::size_t vocabulary, Rng& rng) {
    if (o.rate <= 0 || o.rate > 1 || o.replace_mask < 0 || o.replace_random < 0 || o.replace_mask + o.replace_random > 1) {
        throw std::invalid_argument("mask_tokens: needs 0 < rate <= 1 and replace_mask + replace_random <= 1");
    }
    if (vocabulary <= WordPiece::specials) throw std::invalid_argument("mask_tokens: the vocabulary has no pieces besides the specials");
    // EXERCISE ch6.masking (3 points): choose round(rate * n) of the n non-special positions, then [MASK] / random / keep
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i] >= int(WordPiece::specials)) candidates.push_back(i);
    }
    Masked m;
    m.tokens = tokens;
    if (candidates.empty()) return m;  // nothing to choose (only specials)
    const std::size_t count = std::max<std::size_t>(1, std::size_t(std::lround(o.rate * double(candidates.size()))));
    for (std::size_t k = 0; k < count; ++k) {  // the first `count` of a Fisher-Yates shuffle
        std::swap(candidates[k], candidates[k + rng.below(candidates.size() - k)]);
    }
    m.positions.assign(candidates.begin(), candidates.begin() + std::ptrdiff_t(count));
    std::sort(m.positions.begin(), m.positions.end());
    for (std::size_t p : m.positions) {
        m.targets.push_back(tokens[p]);
        const double r = rng.uniform();
        if (r < o.replace_mask) {
            m.tokens[p] = WordPiece::mask;
        } else if (r < o.replace_mask + o.replace_random) {
            m.tokens[p] = int(WordPiece::specials + rng.below(vocabulary - WordPiece::specials));
        }
    }
    return m;
    // END EXERCISE ch6.masking
}

MaskedLmHead::MaskedLmHead(const Embedding& tokens, std::size_t H, Rng& rng)
    : token_embedding(tokens), transform(H, H, rng), norm(H, real(1e-12)),
      bias(Tensor::zeros({tokens.weight.shape(0)}).set_requires_grad()) {}

Tensor MaskedLmHead::forward(const Tensor& h) const {
    // EXERCISE ch6.tied_head (2 points): z = LayerNorm(GELU(h W_t + b_t)), logits = z E_tok^T + b, with the token embedding table E_tok
    const Tensor z = norm.forward(gelu(transform.forward(h)));                   // (M, H)
    return matmul(z, token_embedding.weight, Trans::no, Trans::yes) + bias;      // (M, V): z E^T + b
    // END EXERCISE ch6.tied_head
}

Tensor masked_lm_loss(const MaskedLmHead& head, const Tensor& h, const Ids& chosen, const Ids& targets, Tensor* logits_out) {
    // EXERCISE ch6.mlm_loss (2 points): gather the chosen positions' hidden states, apply the head, cross-entropy against the targets
    const std::size_t B = h.shape(0), T = h.shape(1), H = h.shape(2);
    const Tensor rows = index_select(reshape(h, {B * T, H}), 0, chosen);  // (M, H): only the chosen positions
    const Tensor logits = head.forward(rows);                              // (M, V)
    if (logits_out != nullptr) *logits_out = logits;
    return cross_entropy(logits, targets);
    // END EXERCISE ch6.mlm_loss
}

void MaskedLmHead::list(Lister& out) {
    out.child("transform", transform);
    out.child("norm", norm);
    out.parameter("bias", bias);
}

Pretraining::Pretraining(std::size_t vocabulary, const Config& c, bool nsp_head, Rng& rng)
    : encoder(vocabulary, c, rng), mlm(encoder.token_embedding, c.d_model, rng), next_sentence(nsp_head),
      pooler(c.d_model, c.d_model, rng), nsp(c.d_model, 2, rng) {}

Pretraining::Losses Pretraining::forward(const PretrainingBatch& batch, Rng& rng) const {
    const Tensor h = encoder.forward(batch.input, rng);  // (B, T, H)
    const std::size_t B = h.shape(0), H = h.shape(2);
    Losses out;
    out.mlm = masked_lm_loss(mlm, h, batch.chosen, batch.targets, &out.mlm_logits);
    if (next_sentence) {
        const Tensor first = reshape(slice(h, 1, 0, 1), {B, H});           // (B, H): h of [CLS]
        out.nsp_logits = nsp.forward(tanh(pooler.forward(first)));         // (B, 2)
        out.nsp = cross_entropy(out.nsp_logits, batch.is_next);
    }
    return out;
}

void Pretraining::list(Lister& out) {
    out.child("encoder", encoder);
    out.child("mlm", mlm);
    if (next_sentence) {
        out.child("pooler", pooler);
        out.child("nsp", nsp);
    }
}

// ---- Fine-tuning ----------------------------------------------------------------------------------------------

Classifier::Classifier(std::size_t vocabulary, std::size_t classes, const Config& c, Pooling how, Rng& rng)
    : encoder(vocabulary, c, rng), pooling(how), drop(c.dropout), output(c.d_model, classes, rng) {}

Tensor Classifier::forward(const Batch& batch, Rng& rng) const {
    Tensor h;
    if (frozen) {
        NoRecording off;  // the encoder is a fixed feature extractor: no tape, no gradient
        h = encoder.forward(batch, rng);
    } else {
        h = encoder.forward(batch, rng);  // (B, T, H)
    }
    const std::size_t B = h.shape(0), H = h.shape(2);
    const Tensor pooled = pooling == Pooling::cls ? reshape(slice(h, 1, 0, 1), {B, H})  // (B, H): h of [CLS]
                                                  : mean_pool(h, batch.padding);        // (B, H)
    return output.forward(drop.forward(pooled, rng));  // (B, classes)
}

Tensor mean_pool(const Tensor& h, const Tensor& padding) {
    // EXERCISE ch6.pooling (2 points): the mean of h over the real positions of each sequence, padding left out
    const std::size_t B = h.shape(0), T = h.shape(1);
    const Tensor keep = reshape(1 - padding, {B, T, 1});  // (B, T, 1): 1 at real positions
    return sum(h * keep, 1) / sum(keep, 1);               // (B, H) / (B, 1)
    // END EXERCISE ch6.pooling
}

void Classifier::list(Lister& out) {
    if (!frozen) out.child("encoder", encoder);
    out.child("drop", drop);
    out.child("output", output);
}

void copy_encoder(Encoder& from, Encoder& to) {
    const std::vector<NamedParameter> source = from.state(), target = to.state();
    if (source.size() != target.size()) {
        throw std::invalid_argument("copy_encoder: the encoders have " + std::to_string(source.size()) + " and " +
                                    std::to_string(target.size()) + " parameters");
    }
    for (std::size_t i = 0; i < source.size(); ++i) {
        const Tensor& a = *source[i].tensor;
        Tensor& b = *target[i].tensor;
        if (source[i].name != target[i].name || a.shape() != b.shape()) {
            throw std::invalid_argument("copy_encoder: parameter '" + source[i].name + "' does not match '" + target[i].name + "'");
        }
        std::copy(a.data(), a.data() + a.size(), b.data());
    }
}

}  // namespace ch06
