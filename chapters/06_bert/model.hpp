// chapters/06_bert/model.hpp — Devlin et al. 2019, "BERT: Pre-training of Deep Bidirectional
// Transformers for Language Understanding", in the paper's symbols, on the same engine.
//
// Read top to bottom: the input (3, Figure 2: [CLS] A [SEP] B [SEP], token + segment + position
// embeddings), the encoder (chapter 5's encoder layer from the library, GELU in the feed-forward),
// masking (3.1, Task #1: 15% of the tokens chosen, of those 80% [MASK], 10% a random token, 10%
// kept), the masked-LM head tied to the token embeddings, the next-sentence head (Task #2), and the
// classifier that fine-tuning puts on top (3.2).
//
// Two modules share one encoder class: Pretraining (encoder + MLM head + optional NSP head) and
// Classifier (encoder + a classification head). Fine-tuning copies the encoder's parameters from
// a pretraining checkpoint into a Classifier (copy_encoder); "from scratch" skips the copy.
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "attn/attn.hpp"
#include "attn/data/wordpiece.hpp"
#include "attn/nn/layers.hpp"
#include "attn/nn/transformer.hpp"

namespace ch06 {

using namespace attn;

struct Config {
    std::size_t d_model = 128;       // H, the hidden size (BERT-base: 768)
    std::size_t heads = 4;           // A, attention heads (BERT-base: 12)
    std::size_t d_ff = 512;          // the feed-forward's inner width, 4H as in the paper (the executable: 2H)
    std::size_t layers = 2;          // L, encoder layers (BERT-base: 12)
    std::size_t max_positions = 64;  // the longest input, [CLS] and [SEP]s included (BERT: 512)
    real dropout = 0.1;              // on embeddings, attention weights, sublayer outputs (as BERT)

    /// Every encoder layer: post-norm as the paper, GELU in the feed-forward.
    EncoderLayerConfig layer() const { return {d_model, heads, d_ff, dropout, false, Normalization::layer, Activation::gelu}; }
    /// The sizes as text: a checkpoint records them, and a model of other sizes is refused by name.
    std::string text() const {
        return "d_model " + std::to_string(d_model) + "\nheads " + std::to_string(heads) + "\nd_ff " + std::to_string(d_ff) +
               "\nlayers " + std::to_string(layers) + "\nmax_positions " + std::to_string(max_positions) + "\n";
    }
};

// ---- The input: [CLS] A [SEP] (B [SEP]), padded into a batch -------------------------------------------------

/// B sequences of at most T pieces. Segment 0 is [CLS], A and its [SEP]; segment 1 is B and its [SEP].
struct Batch {
    Ids tokens;      // (B, T) WordPiece ids, [PAD] after the end
    Ids segments;    // (B, T) 0 or 1
    Tensor padding;  // (B, T) 1 at [PAD] positions
    std::vector<std::size_t> lengths;  // B real lengths
};

/// One input: [CLS] a [SEP], or [CLS] a [SEP] b [SEP] when b is not empty, cut to max_length by
/// dropping pieces from the end of the longer segment (as BERT's create_pretraining_data).
struct Sequence {
    std::vector<int> tokens, segments;
};
Sequence make_sequence(std::vector<int> a, std::vector<int> b, std::size_t max_length);

/// Pads sequences to the longest: tokens with [PAD], segments with 0.
Batch pad(const std::vector<Sequence>& sequences);

// ---- The encoder: embeddings, then L encoder layers ------------------------------------------------------

class Encoder : public Module {
public:
    Encoder(std::size_t vocabulary, const Config& c, Rng& rng);

    /// E_tok[x] + E_seg[s] + E_pos[t], LayerNorm, dropout, then the layers.  -> h (B, T, H).
    /// weights (if given) receives each layer's attention weights (B, A, T, T).
    Tensor forward(const Batch& batch, Rng& rng, std::vector<Tensor>* weights = nullptr) const;

    Config config;
    Embedding token_embedding, segment_embedding, position_embedding;  // (V, H), (2, H), (max_positions, H)
    LayerNorm embedding_norm;
    Dropout drop;
    std::vector<std::unique_ptr<EncoderLayer>> layers;

protected:
    void list(Lister& out) override;
};

// ---- Masked language modelling (3.1, Task #1) ------------------------------------------------------------

struct MaskingOptions {
    double rate = 0.15;          // the share of (non-special) tokens chosen for prediction
    double replace_mask = 0.8;   // of the chosen: replaced by [MASK]
    double replace_random = 0.1; // of the chosen: replaced by a random piece; the rest stay as they were
};

/// A sequence with its chosen positions corrupted, and what they were.
struct Masked {
    std::vector<int> tokens;               // the input the model sees
    std::vector<std::size_t> positions;    // the chosen positions, ascending
    std::vector<int> targets;              // the original piece at each
};

/// Chooses max(1, round(rate * n)) of the n non-special positions (none when n = 0), uniformly
/// without replacement, and corrupts each: [MASK] with probability replace_mask, a random
/// non-special piece with probability replace_random, unchanged otherwise.
Masked mask_tokens(const std::vector<int>& tokens, const MaskingOptions& options, std::size_t vocabulary, Rng& rng);

/// The MLM head (the reference code's "cls/predictions"): a transform, then the token embedding
/// matrix transposed, plus a bias per piece — the output layer is tied to the input embeddings.
///   z = LayerNorm(GELU(h W_t + b_t)),  logits = z E_tok^T + b      h (M, H) -> (M, V)
class MaskedLmHead : public Module {
public:
    MaskedLmHead(const Embedding& tokens, std::size_t H, Rng& rng);
    Tensor forward(const Tensor& h) const;

    const Embedding& token_embedding;  // tied: not this module's parameter (it is the encoder's)
    Linear transform;
    LayerNorm norm;
    Tensor bias;  // (V)

protected:
    void list(Lister& out) override;
};

/// The MLM loss over the chosen positions only: their hidden states through the head, then the
/// cross-entropy against the pieces they held. Unchosen positions cost nothing and teach nothing.
///   h (B, T, H), chosen (M) flat positions b * T + t, targets (M) -> () scalar; logits_out (M, V)
Tensor masked_lm_loss(const MaskedLmHead& head, const Tensor& h, const Ids& chosen, const Ids& targets, Tensor* logits_out = nullptr);

/// Pretraining inputs: the corrupted batch, where the chosen positions are, what they held, and
/// for NSP whether B really follows A.
struct PretrainingBatch {
    Batch input;
    Ids chosen;   // (M) flat positions b * T + t of the chosen tokens
    Ids targets;  // (M) the pieces they held
    Ids is_next;  // (B) 1 when B is A's next verse, 0 when random (NSP only)
};

class Pretraining : public Module {
public:
    Pretraining(std::size_t vocabulary, const Config& c, bool next_sentence, Rng& rng);

    struct Losses {
        Tensor mlm, nsp;  // () each; nsp empty without the NSP head
        Tensor mlm_logits;  // (M, V)
        Tensor nsp_logits;  // (B, 2)
    };
    /// MLM: cross-entropy at the chosen positions only; NSP: cross-entropy of IsNext/NotNext from
    /// the pooled [CLS] (tanh(h_[CLS] W_p + b_p), the reference code's pooler).
    Losses forward(const PretrainingBatch& batch, Rng& rng) const;

    Encoder encoder;
    MaskedLmHead mlm;
    bool next_sentence;
    Linear pooler, nsp;  // (H, H), (H, 2): used only with next_sentence

protected:
    void list(Lister& out) override;
};

// ---- Fine-tuning: a classifier on the encoder (3.2) --------------------------------------------------------

/// What the classifier reads: the final hidden state of [CLS] (the paper), or the mean of every
/// real position's (README, "The model": fine-tuning).
enum class Pooling { cls, mean };

/// The mean of the hidden states of the real positions, padding left out.
///   h (B, T, H), padding (B, T) with 1 at [PAD] -> (B, H)
Tensor mean_pool(const Tensor& h, const Tensor& padding);

class Classifier : public Module {
public:
    Classifier(std::size_t vocabulary, std::size_t classes, const Config& c, Pooling pooling, Rng& rng);

    /// logits = Dropout(pool(h)) W_c + b_c      -> (B, classes)
    Tensor forward(const Batch& batch, Rng& rng) const;

    Encoder encoder;
    Pooling pooling;
    Dropout drop;
    Linear output;  // (H, classes)
    /// Frozen: the encoder runs off the tape and is not listed, so only the head learns (--freeze).
    bool frozen = false;

protected:
    void list(Lister& out) override;
};

/// Copies every encoder parameter of `from` into `to` (same sizes, or an error naming the first
/// parameter that differs).
void copy_encoder(Encoder& from, Encoder& to);

}  // namespace ch06
