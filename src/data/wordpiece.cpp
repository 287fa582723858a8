// A subword vocabulary, learned and applied (see attn/data/wordpiece.hpp).
#include "attn/data/wordpiece.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <stdexcept>

#include "attn/data/lines.hpp"
#include "attn/support/io.hpp"
#include "attn/support/utf8.hpp"

namespace attn {

namespace {

const char* const special_pieces[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

bool continues(const std::string& piece) { return piece.size() > 2 && piece.compare(0, 2, "##") == 0; }

/// Byte offsets of the code points of `word`, and its end: {0, 1, 3, 4} for "aéb".
std::vector<std::size_t> boundaries(const std::string& word) {
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80) at.push_back(i);
    }
    at.push_back(word.size());
    return at;
}

using Pair = std::uint64_t;  // (left symbol << 32) | right symbol
Pair pair_of(int a, int b) { return std::uint64_t(std::uint32_t(a)) << 32 | std::uint32_t(b); }

}  // namespace

WordPiece::WordPiece() {
    for (const char* s : special_pieces) add(s);
}

void WordPiece::add(const std::string& piece) {
    ids_.emplace(piece, int(pieces_.size()));
    pieces_.push_back(piece);
    longest_ = std::max(longest_, piece.size());
}

WordPiece WordPiece::learn(const std::vector<std::vector<std::string>>& sentences, const Options& options) {
    if (options.vocabulary_size < specials + 1) {
        throw std::invalid_argument("WordPiece: a vocabulary of " + std::to_string(options.vocabulary_size) +
                                    " pieces has no room beside the 5 specials");
    }
    // Words and their counts (a sorted map: the same corpus always gives the same order).
    std::map<std::string, std::size_t> word_counts;
    for (const auto& sentence : sentences) for (const std::string& w : sentence) if (!w.empty()) ++word_counts[w];

    // Symbols: the words' characters (the first as itself, the others as "##c"), then merges.
    std::vector<std::string> symbols;
    std::unordered_map<std::string, int> symbol_ids;
    auto symbol = [&](const std::string& s) {
        const auto [it, added] = symbol_ids.emplace(s, int(symbols.size()));
        if (added) symbols.push_back(s);
        return it->second;
    };
    std::map<std::string, std::size_t> character_counts;
    for (const auto& [word, count] : word_counts) {
        if (!utf8_problem(word).empty()) throw std::invalid_argument("WordPiece: the word '" + word + "' is not valid UTF-8");
        for (const std::string& c : split_characters(word)) character_counts[c] += count;
    }
    struct Word {
        std::vector<int> symbols;
        std::size_t count;
    };
    std::vector<Word> words;
    std::map<std::string, std::size_t> alphabet_counts;  // "c" and "##c" forms that occur
    for (const auto& [word, count] : word_counts) {
        const std::vector<std::string> characters = split_characters(word);
        if (characters.size() > options.max_word_characters) continue;
        bool known = true;
        for (const std::string& c : characters) known = known && character_counts[c] >= options.min_count;
        if (!known) continue;  // it will be [UNK]: it must not shape the pieces
        Word w{{}, count};
        for (std::size_t i = 0; i < characters.size(); ++i) {
            const std::string s = i == 0 ? characters[i] : "##" + characters[i];
            alphabet_counts[s] += count;
            w.symbols.push_back(symbol(s));
        }
        words.push_back(std::move(w));
    }

    WordPiece vocabulary;
    // The alphabet first, most frequent first (ties alphabetically), as much of it as fits.
    std::vector<std::pair<std::string, std::size_t>> alphabet(alphabet_counts.begin(), alphabet_counts.end());
    std::stable_sort(alphabet.begin(), alphabet.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
    for (const auto& [s, count] : alphabet) {
        if (vocabulary.size() == options.vocabulary_size) break;
        vocabulary.add(s);
    }

    // Pair counts, and which words hold each pair (possibly stale: checked when used).
    std::unordered_map<Pair, std::size_t> pair_counts;
    std::unordered_map<Pair, std::vector<std::size_t>> holders;
    auto count_pairs = [&](std::size_t w, bool add) {
        const std::vector<int>& s = words[w].symbols;
        for (std::size_t i = 0; i + 1 < s.size(); ++i) {
            const Pair p = pair_of(s[i], s[i + 1]);
            if (add) {
                pair_counts[p] += words[w].count;
                holders[p].push_back(w);
            } else if ((pair_counts[p] -= words[w].count) == 0) {
                pair_counts.erase(p);
            }
        }
    };
    for (std::size_t w = 0; w < words.size(); ++w) count_pairs(w, true);

    auto merged = [&](Pair p) {
        const std::string& right = symbols[std::uint32_t(p)];
        return symbols[p >> 32] + right.substr(2);  // the right one always continues: drop its "##"
    };
    std::vector<std::size_t> stamp(words.size(), 0);  // the merge that last rewrote each word
    for (std::size_t round = 1; vocabulary.size() < options.vocabulary_size && !pair_counts.empty(); ++round) {
        Pair best = 0;
        std::size_t best_count = 0;
        std::string best_piece;
        for (const auto& [p, count] : pair_counts) {  // the most frequent; ties: the first merged piece, then the first pair
            if (count < best_count) continue;
            if (count > best_count) {
                best = p;
                best_count = count;
                best_piece.clear();  // spelled out only when a tie needs it
                continue;
            }
            if (best_piece.empty()) best_piece = merged(best);
            std::string piece = merged(p);
            if (piece < best_piece || (piece == best_piece && p < best)) {
                best = p;
                best_piece = std::move(piece);
            }
        }
        if (best_piece.empty()) best_piece = merged(best);
        const int a = int(best >> 32), b = int(std::uint32_t(best)), ab = symbol(best_piece);
        if (vocabulary.ids_.count(best_piece) == 0) vocabulary.add(best_piece);
        std::vector<std::size_t> affected;
        affected.swap(holders[best]);
        for (std::size_t w : affected) {
            if (stamp[w] == round) continue;  // listed twice
            stamp[w] = round;
            std::vector<int>& s = words[w].symbols;
            bool holds = false;
            for (std::size_t i = 0; i + 1 < s.size(); ++i) holds = holds || (s[i] == a && s[i + 1] == b);
            if (!holds) continue;  // a stale entry: an earlier merge took the pair apart
            count_pairs(w, false);
            std::vector<int> next;
            for (std::size_t i = 0; i < s.size(); ++i) {
                if (i + 1 < s.size() && s[i] == a && s[i + 1] == b) {
                    next.push_back(ab);
                    ++i;
                } else {
                    next.push_back(s[i]);
                }
            }
            s.swap(next);
            count_pairs(w, true);
        }
        holders.erase(best);
        pair_counts.erase(best);
    }
    return vocabulary;
}

std::vector<std::string> WordPiece::pieces(const std::string& word) const {
    if (word.empty()) return {};
    if (!utf8_problem(word).empty()) return {special_pieces[unk]};
    const std::vector<std::size_t> at = boundaries(word);
    if (at.size() - 1 > Options().max_word_characters) return {special_pieces[unk]};
    std::vector<std::string> out;
    std::size_t start = 0;  // index into `at`
    while (start + 1 < at.size()) {
        std::size_t end = at.size() - 1;
        while (end > start && at[end] - at[start] > longest_) --end;  // no piece is longer
        bool found = false;
        for (; end > start; --end) {
            const std::string candidate = (start == 0 ? "" : "##") + word.substr(at[start], at[end] - at[start]);
            if (start == 0 && candidate.compare(0, 2, "##") == 0) continue;  // a word's start is never a continuation
            if (ids_.count(candidate)) {
                out.push_back(candidate);
                found = true;
                break;
            }
        }
        if (!found) return {special_pieces[unk]};
        start = end;
    }
    return out;
}

std::vector<int> WordPiece::encode(const std::vector<std::string>& words) const {
    std::vector<int> ids;
    for (const std::string& w : words) for (const std::string& p : pieces(w)) ids.push_back(id(p));
    return ids;
}

std::vector<std::string> WordPiece::decode(const std::vector<int>& ids) const {
    std::vector<std::string> words;
    bool open = false;  // the last word can take a continuation
    for (int i : ids) {
        if (i == pad || i == cls || i == sep || i == mask) {
            open = false;
            continue;
        }
        const std::string& p = piece(i);
        if (is_continuation(i) && open) {
            words.back() += p.substr(2);
        } else {
            words.push_back(p);
            open = i != unk;
        }
    }
    return words;
}

int WordPiece::id(const std::string& piece) const {
    const auto it = ids_.find(piece);
    return it == ids_.end() ? unk : it->second;
}

const std::string& WordPiece::piece(int id) const {
    if (id < 0 || std::size_t(id) >= pieces_.size()) {
        throw std::out_of_range("WordPiece: id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(pieces_.size()));
    }
    return pieces_[std::size_t(id)];
}

bool WordPiece::is_continuation(int id) const { return continues(piece(id)); }

std::string WordPiece::text() const {
    std::string text;
    for (const std::string& p : pieces_) text += p + "\n";
    return text;
}

void WordPiece::save(const std::string& path) const { write_file_atomically(path, text()); }

WordPiece WordPiece::load(const std::string& path) { return parse(read_text_file(path), path); }

WordPiece WordPiece::parse(const std::string& text, const std::string& name) {
    WordPiece vocabulary;
    Lines lines(text, name);
    std::string line;
    while (lines.next(line)) {
        const std::size_t n = lines.number();
        if (n <= specials) {
            if (line != special_pieces[n - 1]) {
                throw std::runtime_error(lines.where() + ": expected " + special_pieces[n - 1] + " (the specials come first, in order), found '" + line + "'");
            }
            continue;
        }
        if (line.empty() || line == "##") throw std::runtime_error(lines.where() + ": an empty piece");
        if (const std::string problem = utf8_problem(line); !problem.empty()) throw std::runtime_error(lines.where() + ": " + problem);
        if (vocabulary.ids_.count(line)) throw std::runtime_error(lines.where() + ": the piece '" + line + "' is already on line " +
                                                                  std::to_string(vocabulary.ids_.at(line) + 1));
        vocabulary.add(line);
    }
    if (lines.number() < specials) throw std::runtime_error(name + ": " + std::to_string(lines.number()) + " lines, but the 5 specials alone take 5");
    return vocabulary;
}

}  // namespace attn
