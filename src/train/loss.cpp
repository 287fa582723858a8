#include "attn/train/loss.hpp"

namespace attn {

Tensor token_cross_entropy(const Tensor& logits, const Ids& targets, int pad_id, real label_smoothing) {
    const Shape shape = logits.shape();
    if (shape.size() != 3 || targets.shape != Shape{shape[0], shape[1]}) {
        fail("token_cross_entropy", "needs logits (B, T, V) and targets (B, T), got " + to_string(shape) + " and " +
                                        to_string(targets.shape));
    }
    const std::size_t N = shape[0] * shape[1];
    return cross_entropy(reshape(logits, {N, shape[2]}), Ids({N}, targets.values), {pad_id, label_smoothing});
}

}  // namespace attn
