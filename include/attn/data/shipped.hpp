// attn/data/shipped.hpp — loaders for the formats of the datasets in datasets/ (see its README).
#pragma once

#include <string>
#include <vector>

#include "attn/data/loaders.hpp"
#include "attn/support/metrics.hpp"

namespace attn {

/// toy_translation and bible: `source<TAB>target<TAB>links`, tokens separated by single spaces,
/// links as pairs of 0-based token positions: "s-t" a sure link (Pharaoh format), "s?t" a
/// possible one (Och & Ney 2003's P: a link that may be right, e.g. inside a phrase).
struct AlignedPair {
    std::vector<std::string> source, target;
    Alignment links;     // sure: (source position, target position)
    Alignment possible;  // possible only (not also sure)
};
std::vector<AlignedPair> load_aligned_pairs(const std::string& path);
/// The same from text in memory; `name` stands for the file in error messages.
std::vector<AlignedPair> parse_aligned_pairs(const std::string& text, const std::string& name);

/// reviews: `rating<TAB>sentence ||| sentence ...<TAB>key sentences<TAB>key words`, where key
/// sentences are "i,j" and key words "i:w,j:v" (sentence i, word w).
struct Review {
    int rating = 0;                                    // 1..5
    std::vector<std::vector<std::string>> sentences;   // words of each sentence
    std::vector<int> key_sentences;                    // the sentences that decide the rating
    std::vector<std::pair<int, int>> key_words;        // (sentence, word) of each opinion word
};
std::vector<Review> load_reviews(const std::string& path);
/// The same from text in memory; `name` stands for the file in error messages.
std::vector<Review> parse_reviews(const std::string& text, const std::string& name);

}  // namespace attn
