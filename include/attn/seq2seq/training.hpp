// attn/seq2seq/training.hpp — the library's training loop (attn/train/loop.hpp) on a
// sequence-to-sequence task: batches bucketed by source length, the loss weighted by target
// tokens, validation by mean token loss.
#pragma once

#include "attn/seq2seq/model.hpp"
#include "attn/train/loop.hpp"

namespace attn {

class Seq2SeqTraining : public TrainingTask {
public:
    /// validation_batch_size: sentences per validation batch (train_seq2seq passes the training batch size).
    Seq2SeqTraining(const Seq2SeqModel& model, const Seq2SeqData& data, std::size_t validation_batch_size)
        : model_(model), data_(data), validation_batch_size_(validation_batch_size) {}
    std::vector<std::vector<std::size_t>> epoch(std::size_t batch_size, Rng& rng) const override;
    WeightedLoss loss(const std::vector<std::size_t>& batch, Rng& rng) const override;
    Validation validate() const override;

private:
    const Seq2SeqModel& model_;
    const Seq2SeqData& data_;
    std::size_t validation_batch_size_;
};

/// options.identity and the task's two vocabularies: what a checkpoint of this model on this data
/// records, and what resuming or translating requires of it (attn/train/checkpoint.hpp).
Identity seq2seq_identity(const Seq2SeqData& data, const TrainOptions& options);

/// train() with a Seq2SeqTraining: the model ends with its best validation epoch's parameters.
/// Checkpoints record seq2seq_identity.
TrainReport train_seq2seq(Seq2SeqModel& model, const Seq2SeqData& data, const TrainOptions& options, Rng& rng);

}  // namespace attn
