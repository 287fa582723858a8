// attn/data/batching.hpp — padded batches, bucketing by length, seeded shuffling.
#pragma once

#include <vector>

#include "attn/random.hpp"
#include "attn/tensor.hpp"

namespace attn {

/// Sequences of ids padded to the longest one in the batch.
struct PaddedBatch {
    Ids ids;                   // (B, S), pad_id after each sequence's end
    std::vector<int> lengths;  // (B) real lengths
    Tensor mask;               // (B, S): 1 at padding (what attention hides), 0 at real tokens
};

/// Pads `sequences` with `pad_id` to the longest; S is at least 1 even if every sequence is empty.
PaddedBatch pad_batch(const std::vector<std::vector<int>>& sequences, int pad_id);

/// Fisher-Yates shuffle of 0..n-1 driven by rng: the same seed gives the same order everywhere.
std::vector<std::size_t> shuffled_indices(std::size_t n, Rng& rng);

/// Splits example indices into batches of at most batch_size.
///  - bucket: sort by length first (ties keep index order) so each batch holds similar lengths and
///    little padding; the batches themselves are then shuffled (if rng) so training order is mixed.
///  - no bucket: shuffle the examples (if rng), then cut consecutive batches.
/// Without rng the order is deterministic and unshuffled (evaluation).
std::vector<std::vector<std::size_t>> make_batches(const std::vector<std::size_t>& lengths, std::size_t batch_size,
                                                   bool bucket, Rng* rng);

}  // namespace attn
