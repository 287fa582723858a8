// bench/workloads.hpp — the seven training-step workloads of the benchmark suite (README,
// "Performance"). One step = forward + backward + Adam update, cross-entropy over every target
// position, random token ids, no padding, no dropout but in B6, a fixed seed.
// bench/reference/torch_bench.py builds the same seven in PyTorch; keep the two in step.
//
//   B1 seq2seq     GRU encoder-decoder, E 64, H 128, V 64; batch 64, lengths 20
//   B2 Bahdanau    chapter 2's model: BiGRU 128 per direction, additive attention A 128
//   B3 Luong       chapter 3's model: LSTM 128, global general attention, input feeding
//   B4 HAN         chapter 4's model: V 5000, E 64, BiGRU 32 per direction, A 64, 5 classes;
//                  32 documents x 8 sentences x 16 words
//   B5 Transformer chapter 5's model: V 1000, D 128, 4 heads, d_ff 512, 2 + 2 layers, post-norm;
//                  batch 64, lengths 32
//   B6 BERT        chapter 6's default pretraining step: V 3000, H 128, 4 heads, d_ff 256, 2 layers,
//                  GELU, post-norm, dropout 0.1; 64 pairs [CLS] A [SEP] B [SEP] of 48 pieces, the
//                  masked-LM loss at 15% of the text (448 positions) through the tied output layer
//                  plus next-sentence prediction from the pooled [CLS]
//   B7 AFM         chapter 7's model: 12 fields of 20 features, K 8, attention width t 16, squared
//                  error; batch 256 (tokens/s counts examples)
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bench {

struct Workload {
    std::string name;           // "B1 seq2seq", ...
    double tokens_per_step;     // target tokens (documents' words for B4)
    double flops_per_step;      // matrix-product FLOPs of forward + backward (3x the forward's)
    std::function<void()> step; // one training step; owns the model, optimiser and batch
};

/// Builds workload `index` (1..7) with a fixed seed.
Workload make_workload(int index);

}  // namespace bench
