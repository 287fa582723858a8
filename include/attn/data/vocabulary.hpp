// attn/data/vocabulary.hpp — tokens <-> ids, with four special tokens at fixed ids.
//
//   0 <pad>   padding (never a prediction target, never the start symbol)
//   1 <unk>   any token not in the vocabulary
//   2 <bos>   beginning of sequence (the decoder's first input)
//   3 <eos>   end of sequence
//
// Built from a corpus with a minimum frequency; ordered by frequency, ties alphabetically, so the
// same corpus always gives the same ids. Saved as one token per line (line n = id n - 1).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace attn {

class Vocabulary {
public:
    static constexpr int pad = 0, unk = 1, bos = 2, eos = 3;

    Vocabulary();  // just the four specials

    /// Every token seen at least min_count times (and at most max_size tokens in all, 0 = no limit).
    static Vocabulary build(const std::vector<std::vector<std::string>>& corpus, std::size_t min_count = 1,
                            std::size_t max_size = 0);

    int id(const std::string& token) const;           // unk when absent
    const std::string& token(int id) const;           // throws for an id outside [0, size)
    std::size_t size() const { return tokens_.size(); }
    bool contains(const std::string& token) const { return ids_.count(token) > 0; }

    /// Tokens -> ids, with optional <bos> before and <eos> after.
    std::vector<int> encode(const std::vector<std::string>& tokens, bool add_bos = false, bool add_eos = false) const;
    /// Ids -> tokens; stops at <eos> and drops <pad>/<bos> when strip_specials is true.
    std::vector<std::string> decode(const std::vector<int>& ids, bool strip_specials = true) const;

    /// One token per line, in id order: the saved file's content (and a checkpoint's identity).
    std::string text() const;
    /// Writes the vocabulary atomically, one token per line.
    void save(const std::string& path) const;
    /// Reads a saved vocabulary; errors name the file and the line.
    static Vocabulary load(const std::string& path);
    /// The same from text in memory; `name` stands for the file in error messages.
    static Vocabulary parse(const std::string& text, const std::string& name);

private:
    void add(const std::string& token);
    std::vector<std::string> tokens_;
    std::unordered_map<std::string, int> ids_;
};

}  // namespace attn
