// attn/data/wordpiece.hpp — a subword vocabulary: words as pieces, "##" marking a piece that
// continues a word, as BERT reads text (Devlin et al. 2019; WordPiece: Schuster & Nakajima 2012).
//
//   "unbelievable" -> un ##believ ##able        "the" -> the        "zyx" -> [UNK] (a character never seen)
//
// Learning (WordPiece::learn): start from the characters — a word's first character as itself,
// every later one as "##c" — and repeatedly merge the adjacent pair of pieces that occurs most
// often in the corpus (words weighted by their counts; ties: the alphabetically first merged piece),
// until the vocabulary has the size asked for. That is byte-pair encoding's rule (Sennrich et al.
// 2016) with WordPiece's pieces, as Hugging Face's WordPiece trainer does it.
// Encoding (WordPiece::pieces): greedy longest match from the start of the word, as BERT's
// tokenizer does: the longest piece that begins the rest of the word, again and again; a word that
// cannot be covered becomes the one piece [UNK].
// Ids: 0 [PAD], 1 [UNK], 2 [CLS], 3 [SEP], 4 [MASK], then the characters, then the merges in the
// order they were learned. Saved as one piece per line (line n = id n - 1).
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace attn {

class WordPiece {
public:
    static constexpr int pad = 0, unk = 1, cls = 2, sep = 3, mask = 4;
    static constexpr std::size_t specials = 5;

    struct Options {
        std::size_t vocabulary_size = 4000;  // all pieces, specials included
        std::size_t min_count = 2;           // a character seen fewer times is left out ([UNK])
        std::size_t max_word_characters = 100;  // longer "words" (a URL, a line of dashes) become [UNK]
    };

    WordPiece();  // only the five specials

    /// Learns pieces from `sentences` of words (e.g. attn::split_words). Throws std::invalid_argument
    /// for a vocabulary size below 6 (the specials and one piece). Deterministic: the same corpus
    /// gives the same pieces in the same order.
    static WordPiece learn(const std::vector<std::vector<std::string>>& sentences, const Options& options);

    /// The pieces of one word (greedy longest match), or {"[UNK]"}.
    std::vector<std::string> pieces(const std::string& word) const;
    /// Every word's pieces, as ids, in order.
    std::vector<int> encode(const std::vector<std::string>& words) const;
    /// Ids -> words: continuation pieces join the piece before them; specials are dropped.
    std::vector<std::string> decode(const std::vector<int>& ids) const;

    int id(const std::string& piece) const;     // unk when absent
    const std::string& piece(int id) const;     // throws std::out_of_range outside [0, size)
    std::size_t size() const { return pieces_.size(); }
    bool is_continuation(int id) const;         // a "##" piece

    /// One piece per line, in id order: the saved file (and a checkpoint's identity).
    std::string text() const;
    void save(const std::string& path) const;
    static WordPiece load(const std::string& path);
    /// From text; errors name `name` and the line (the specials first and in order, no piece twice,
    /// no empty piece or bare "##").
    static WordPiece parse(const std::string& text, const std::string& name);

private:
    void add(const std::string& piece);
    std::vector<std::string> pieces_;
    std::unordered_map<std::string, int> ids_;
    std::size_t longest_ = 0;  // bytes of the longest piece: where longest-match starts looking
};

}  // namespace attn
