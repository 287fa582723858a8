#include "attn/train/loss.hpp"

namespace attn {

Tensor token_cross_entropy(const Tensor& logits, const Ids& targets, int pad_id, real label_smoothing) {
    const Shape shape = logits.shape();
    if (shape.size() != 3 || targets.shape != Shape{shape[0], shape[1]}) {
        fail("token_cross_entropy", "needs logits (B, T, V) and targets (B, T), got " + to_string(shape) + " and " +
                                        to_string(targets.shape));
    }
    return cross_entropy(logits, targets, {pad_id, label_smoothing});  // one row per (b, t)
}

}  // namespace attn
