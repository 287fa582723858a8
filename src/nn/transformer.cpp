// Norm, Residual, EncoderLayer (attn/nn/transformer.hpp) — composed from the library's layers.
#include "attn/nn/transformer.hpp"

namespace attn {

Norm::Norm(std::size_t D, Normalization which) : kind(which), layer(D), rms(D), batch(D) {}

Tensor Norm::forward(const Tensor& x, const Tensor& padding) const {
    switch (kind) {
        case Normalization::layer: return layer.forward(x);           // over D, per position
        case Normalization::rms: return rms.forward(x);               // over D, per position, no centring
        case Normalization::batch: return batch.forward(x, padding);  // over the batch's positions, per feature
        case Normalization::none: break;
    }
    return x;
}

void Norm::list(Lister& out) {
    if (kind == Normalization::layer) out.child("layer", layer);
    if (kind == Normalization::rms) out.child("rms", rms);
    if (kind == Normalization::batch) out.child("batch", batch);
}

void Residual::list(Lister& out) {
    out.child("norm", norm);
    out.child("drop", drop);
}

EncoderLayer::EncoderLayer(const EncoderLayerConfig& c, Rng& rng)
    : self_attention(c.d_model, c.heads, rng, c.dropout), ffn(c.d_model, c.d_ff, rng, c.dropout, c.activation),
      first(c.d_model, c.dropout, c.pre_norm, c.norm), second(c.d_model, c.dropout, c.pre_norm, c.norm) {}

Tensor EncoderLayer::forward(const Tensor& x, const Tensor& mask, const Tensor& padding, Rng& rng, Tensor* weights_out) const {
    const Tensor a = first(x, padding, [&](const Tensor& y) {
        const MultiHeadAttention::Output o = self_attention.forward(y, y, y, mask, rng);
        if (weights_out != nullptr) *weights_out = o.weights;
        return o.output;
    }, rng);
    return second(a, padding, [&](const Tensor& y) { return ffn.forward(y, rng); }, rng);
}

void EncoderLayer::list(Lister& out) {
    out.child("self_attention", self_attention);
    out.child("ffn", ffn);
    out.child("first", first);
    out.child("second", second);
}

}  // namespace attn
