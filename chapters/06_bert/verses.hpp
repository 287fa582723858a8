// chapters/06_bert/verses.hpp — chapter 6's data: the World English Bible's verses (datasets/bible),
// each with its section of the Bible, split by chapter into the pretraining text (and pool of
// labels), the validation chapters and the test chapters.
#pragma once

#include <string>
#include <vector>

#include "attn/data/wordpiece.hpp"

namespace ch06 {

/// The seven sections, in canonical order: the classes of the fine-tuning task.
extern const std::vector<std::string> section_names;

/// The section of a book as SWORD names it ("I Samuel", "Revelation of John"), or -1.
int section_of(const std::string& book);

struct Verse {
    std::string reference;  // "Genesis 2:1"
    std::string book;
    int chapter = 0;
    int section = 0;
    std::vector<std::string> words;  // lower-cased, punctuation split off (the shipped tokenisation)
    std::vector<int> pieces;         // WordPiece ids
};

/// Held out as whole chapters: numbers ending in 0 are the test set, ending in 5 the validation
/// set; pretraining never reads them.
struct Corpus {
    std::vector<Verse> train, valid, test;  // train: the pretraining text and the pool of labels
};

/// folder/train.tsv (English side) with folder/train.refs; errors name the file and line.
Corpus load_corpus(const std::string& folder);

/// The sentence of --fill: words tokenised as the corpus, "[MASK]" kept as the mask piece.
std::vector<int> encode_with_masks(const std::string& text, const attn::WordPiece& vocabulary);

}  // namespace ch06
