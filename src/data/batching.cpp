// Padding, bucketing and shuffling (see attn/data/batching.hpp).
#include "attn/data/batching.hpp"

#include <algorithm>
#include <numeric>

namespace attn {

PaddedBatch pad_batch(const std::vector<std::vector<int>>& sequences, int pad_id) {
    if (sequences.empty()) fail("pad_batch", "needs at least one sequence");
    std::size_t longest = 1;
    for (const auto& s : sequences) longest = std::max(longest, s.size());
    const std::size_t B = sequences.size();
    std::vector<int> ids(B * longest, pad_id);
    std::vector<real> mask(B * longest, 1);
    PaddedBatch batch;
    for (std::size_t b = 0; b < B; ++b) {
        std::copy(sequences[b].begin(), sequences[b].end(), ids.begin() + std::ptrdiff_t(b * longest));
        std::fill_n(mask.begin() + std::ptrdiff_t(b * longest), sequences[b].size(), real(0));
        batch.lengths.push_back(static_cast<int>(sequences[b].size()));
    }
    batch.ids = Ids({B, longest}, std::move(ids));
    batch.mask = Tensor::from({B, longest}, std::move(mask));
    return batch;
}

std::vector<std::size_t> shuffled_indices(std::size_t n, Rng& rng) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    return order;
}

std::vector<std::vector<std::size_t>> make_batches(const std::vector<std::size_t>& lengths, std::size_t batch_size,
                                                   bool bucket, Rng* rng) {
    if (batch_size == 0) fail("make_batches", "batch_size must be positive");
    std::vector<std::size_t> order(lengths.size());
    std::iota(order.begin(), order.end(), 0);
    if (bucket) {
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lengths[a] < lengths[b]; });
    } else if (rng != nullptr) {
        order = shuffled_indices(lengths.size(), *rng);
    }
    std::vector<std::vector<std::size_t>> batches;
    for (std::size_t start = 0; start < order.size(); start += batch_size) {
        const std::size_t end = std::min(order.size(), start + batch_size);
        batches.emplace_back(order.begin() + std::ptrdiff_t(start), order.begin() + std::ptrdiff_t(end));
    }
    if (bucket && rng != nullptr) {
        const std::vector<std::size_t> batch_order = shuffled_indices(batches.size(), *rng);
        std::vector<std::vector<std::size_t>> mixed;
        for (std::size_t i : batch_order) mixed.push_back(std::move(batches[i]));
        batches = std::move(mixed);
    }
    return batches;
}

}  // namespace attn
