// chapters/06_bert/heads.hpp — what the pretrained heads attend to: a measured profile per layer
// and head over many verses, and one heatmap per head for a chosen verse.
#pragma once

#include <string>
#include <vector>

#include "model.hpp"
#include "verses.hpp"
#include "attn/data/wordpiece.hpp"

namespace ch06 {

struct HeadProfile {
    double previous = 0, self = 0, next = 0, cls = 0, sep = 0, entropy = 0;
};

/// Per layer and head, the mean attention weight a real query position gives to the position
/// before it, itself, the one after it, [CLS] and the final [SEP], and the mean entropy of its weights.
std::vector<std::vector<HeadProfile>> profile_heads(const Encoder& encoder, const std::vector<Verse>& verses);

/// One SVG per layer and head of the attention over `pieces`, written to dir/layerL_headA.svg.
void draw_heads(const Encoder& encoder, const attn::WordPiece& vocabulary, const std::vector<int>& pieces,
                const std::string& dir);

}  // namespace ch06
