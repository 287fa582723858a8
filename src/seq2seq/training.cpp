// The training loop on a sequence-to-sequence task (see attn/seq2seq/training.hpp).
#include "attn/seq2seq/training.hpp"

#include "attn/tape.hpp"

namespace attn {

std::vector<std::vector<std::size_t>> Seq2SeqTraining::epoch(std::size_t batch_size, Rng& rng) const {
    return batches_by_source_length(data_.train, batch_size, &rng);
}

WeightedLoss Seq2SeqTraining::loss(const std::vector<std::size_t>& batch, Rng& rng) const {
    const PairBatch pairs = make_pair_batch(data_.train, batch, data_.source_vocabulary, data_.target_vocabulary);
    return {model_.loss(pairs, rng), double(pairs.target_tokens)};
}

Validation Seq2SeqTraining::validate() const {
    Rng unused(0);  // evaluation mode: no dropout draws
    double total = 0, tokens = 0;
    for (const auto& indices : batches_by_source_length(data_.valid, validation_batch_size_, nullptr)) {
        const PairBatch batch = make_pair_batch(data_.valid, indices, data_.source_vocabulary, data_.target_vocabulary);
        total += double(model_.loss(batch, unused).item()) * double(batch.target_tokens);
        tokens += double(batch.target_tokens);
    }
    return {tokens > 0 ? total / tokens : 0};
}

Identity seq2seq_identity(const Seq2SeqData& data, const TrainOptions& options) {
    Identity identity = options.identity;
    identity["source vocabulary"] = data.source_vocabulary.text();
    identity["target vocabulary"] = data.target_vocabulary.text();
    return identity;
}

TrainReport train_seq2seq(Seq2SeqModel& model, const Seq2SeqData& data, const TrainOptions& options, Rng& rng) {
    const Seq2SeqTraining task(model, data, options.batch_size);
    TrainOptions recorded = options;
    recorded.identity = seq2seq_identity(data, options);
    return train(model, task, recorded, rng);
}

}  // namespace attn
