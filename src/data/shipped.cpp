// Loaders for datasets/ (see attn/data/shipped.hpp). Errors name the file, the line and the field.
#include "attn/data/shipped.hpp"

#include <stdexcept>

#include "attn/data/lines.hpp"
#include "attn/data/text.hpp"

namespace attn {

namespace {

std::vector<std::string> split(const std::string& text, const std::string& separator) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t at = text.find(separator, start);
        parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
        if (at == std::string::npos) return parts;
        start = at + separator.size();
    }
}

int to_int(const std::string& text, const std::string& where, const std::string& what) {
    std::size_t used = 0;
    int value = 0;
    try {
        value = std::stoi(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size()) throw std::runtime_error(where + ": " + what + " '" + text + "' is not a whole number");
    return value;
}

/// Calls f(fields, where) for each non-empty line, which must have exactly `columns` tab-separated fields.
template <class F>
void for_each_record(const std::string& text, const std::string& path, std::size_t columns, const char* expected, F&& f) {
    Lines lines(text, path);
    std::string line;
    while (lines.next(line)) {
        if (line.empty()) continue;
        const std::string where = lines.where();
        if (const std::string problem = utf8_problem(line); !problem.empty()) throw std::runtime_error(where + ": " + problem);
        const std::vector<std::string> fields = split(line, "\t");
        if (fields.size() != columns) {
            throw std::runtime_error(where + ": expected " + std::to_string(columns) + " tab-separated fields (" + expected +
                                     "), found " + std::to_string(fields.size()));
        }
        f(fields, where);
    }
}

}  // namespace

std::vector<AlignedPair> load_aligned_pairs(const std::string& path) { return parse_aligned_pairs(read_text_file(path), path); }

std::vector<AlignedPair> parse_aligned_pairs(const std::string& text, const std::string& path) {
    std::vector<AlignedPair> pairs;
    for_each_record(text, path, 3, "source, target, links", [&](const std::vector<std::string>& f, const std::string& where) {
        AlignedPair p{split(f[0], " "), split(f[1], " "), {}, {}};
        for (const std::string& link : split(f[2], " ")) {
            if (link.empty() && f[2].empty()) continue;  // a pair without links (no word of it is tagged)
            const bool sure = link.find('?') == std::string::npos;
            const std::vector<std::string> ends = split(link, sure ? "-" : "?");
            if (ends.size() != 2) throw std::runtime_error(where + ": link '" + link + "' is not of the form s-t (sure) or s?t (possible)");
            const int s = to_int(ends[0], where, "source position"), t = to_int(ends[1], where, "target position");
            if (s < 0 || std::size_t(s) >= p.source.size() || t < 0 || std::size_t(t) >= p.target.size()) {
                throw std::runtime_error(where + ": link '" + link + "' points outside the sentences (" +
                                         std::to_string(p.source.size()) + " and " + std::to_string(p.target.size()) + " tokens)");
            }
            (sure ? p.links : p.possible).emplace_back(s, t);
        }
        pairs.push_back(std::move(p));
    });
    if (pairs.empty()) throw std::runtime_error(path + ": no sentence pairs found");
    return pairs;
}

std::vector<Review> load_reviews(const std::string& path) { return parse_reviews(read_text_file(path), path); }

std::vector<Review> parse_reviews(const std::string& text, const std::string& path) {
    std::vector<Review> reviews;
    for_each_record(text, path, 4, "rating, text, key sentences, key words", [&](const std::vector<std::string>& f, const std::string& where) {
        Review r;
        r.rating = to_int(f[0], where, "rating");
        if (r.rating < 1 || r.rating > 5) throw std::runtime_error(where + ": rating " + f[0] + " is outside 1..5");
        for (const std::string& sentence : split(f[1], " ||| ")) r.sentences.push_back(split(sentence, " "));
        for (const std::string& k : split(f[2], ",")) {
            const int s = to_int(k, where, "key sentence");
            if (s < 0 || std::size_t(s) >= r.sentences.size()) throw std::runtime_error(where + ": key sentence " + k + " does not exist");
            r.key_sentences.push_back(s);
        }
        for (const std::string& k : split(f[3], ",")) {
            const std::vector<std::string> sw = split(k, ":");
            if (sw.size() != 2) throw std::runtime_error(where + ": key word '" + k + "' is not of the form sentence:word");
            const int s = to_int(sw[0], where, "key word sentence"), w = to_int(sw[1], where, "key word position");
            if (s < 0 || std::size_t(s) >= r.sentences.size() || w < 0 || std::size_t(w) >= r.sentences[std::size_t(s)].size()) {
                throw std::runtime_error(where + ": key word " + k + " does not exist");
            }
            r.key_words.emplace_back(s, w);
        }
        reviews.push_back(std::move(r));
    });
    if (reviews.empty()) throw std::runtime_error(path + ": no reviews found");
    return reviews;
}

}  // namespace attn
