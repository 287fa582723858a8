// attn/train/loss.hpp — the losses the chapters train with, on top of attn::cross_entropy.
#pragma once

#include "attn/ops.hpp"

namespace attn {

/// Token-level cross-entropy for sequence models: logits (B, T, V), targets (B, T) with padding
/// `pad_id` -> () the mean over real (non-pad) tokens. Label smoothing eps puts 1 - eps on the
/// target and spreads eps over the other predictable classes: never on the padding class, never
/// on a -inf logit, so the loss is never inf (see attn::cross_entropy).
Tensor token_cross_entropy(const Tensor& logits, const Ids& targets, int pad_id, real label_smoothing = 0);

}  // namespace attn
