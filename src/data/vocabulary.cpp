// Vocabulary: building, encoding, saving and loading (see attn/data/vocabulary.hpp).
#include "attn/data/vocabulary.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "attn/data/lines.hpp"
#include "attn/data/text.hpp"
#include "attn/support/io.hpp"

namespace attn {

namespace {
const char* const specials[] = {"<pad>", "<unk>", "<bos>", "<eos>"};
}

Vocabulary::Vocabulary() {
    for (const char* s : specials) add(s);
}

void Vocabulary::add(const std::string& token) {
    ids_.emplace(token, static_cast<int>(tokens_.size()));
    tokens_.push_back(token);
}

Vocabulary Vocabulary::build(const std::vector<std::vector<std::string>>& corpus, std::size_t min_count,
                             std::size_t max_size) {
    std::map<std::string, std::size_t> counts;  // ordered: ties break alphabetically
    for (const auto& sentence : corpus)
        for (const std::string& token : sentence) ++counts[token];
    std::vector<std::pair<std::string, std::size_t>> ranked(counts.begin(), counts.end());
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    Vocabulary v;
    for (const auto& [token, count] : ranked) {
        if (count < min_count || (max_size > 0 && v.size() >= max_size)) break;
        if (!v.contains(token)) v.add(token);
    }
    return v;
}

int Vocabulary::id(const std::string& token) const {
    const auto found = ids_.find(token);
    return found == ids_.end() ? unk : found->second;
}

const std::string& Vocabulary::token(int id) const {
    if (id < 0 || std::size_t(id) >= tokens_.size()) {
        throw std::invalid_argument("Vocabulary: id " + std::to_string(id) + " is outside a vocabulary of " +
                                    std::to_string(tokens_.size()));
    }
    return tokens_[std::size_t(id)];
}

std::vector<int> Vocabulary::encode(const std::vector<std::string>& tokens, bool add_bos, bool add_eos) const {
    std::vector<int> out;
    if (add_bos) out.push_back(bos);
    for (const std::string& t : tokens) out.push_back(id(t));
    if (add_eos) out.push_back(eos);
    return out;
}

std::vector<std::string> Vocabulary::decode(const std::vector<int>& ids, bool strip_specials) const {
    std::vector<std::string> out;
    for (int id : ids) {
        if (strip_specials && id == eos) break;
        if (strip_specials && (id == pad || id == bos)) continue;
        out.push_back(token(id));
    }
    return out;
}

std::string Vocabulary::text() const {
    std::string text;
    for (const std::string& t : tokens_) text += t + "\n";
    return text;
}

void Vocabulary::save(const std::string& path) const { write_file_atomically(path, text()); }

Vocabulary Vocabulary::load(const std::string& path) { return parse(read_text_file(path), path); }

Vocabulary Vocabulary::parse(const std::string& text, const std::string& path) {
    Vocabulary v;
    v.tokens_.clear();
    v.ids_.clear();
    Lines lines(text, path);
    std::string line;
    while (lines.next(line)) {
        const std::size_t number = lines.number();
        const std::string where = lines.where() + ": ";
        if (number <= 4 && line != specials[number - 1]) {
            throw std::runtime_error(where + "expected the special token " + std::string(specials[number - 1]) +
                                     ", found '" + line + "'");
        }
        if (line.empty()) throw std::runtime_error(where + "empty token");
        if (const std::string problem = utf8_problem(line); !problem.empty()) throw std::runtime_error(where + problem);
        if (v.contains(line)) throw std::runtime_error(where + "duplicate token '" + line + "'");
        v.add(line);
    }
    if (lines.number() < 4) {
        throw std::runtime_error(path + ": expected at least the 4 special tokens, found " + std::to_string(lines.number()) + " lines");
    }
    return v;
}

}  // namespace attn
