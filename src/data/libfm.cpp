// The libFM text format (see attn/data/libfm.hpp).
#include "attn/data/libfm.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "attn/data/lines.hpp"

namespace attn {

namespace {

/// The whole word as a finite number, or false.
bool finite_number(const std::string& word, double& value) {
    if (word.empty()) return false;
    char* end = nullptr;
    value = std::strtod(word.c_str(), &end);
    return end == word.c_str() + word.size() && std::isfinite(value);
}

/// The whole word as an index in [0, libfm_max_index], or false.
bool feature_index(const std::string& word, int& index) {
    if (word.empty() || word.size() > 9) return false;
    long value = 0;
    for (char c : word) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    if (value > libfm_max_index) return false;
    index = int(value);
    return true;
}

std::vector<std::string> words_of(const std::string& line) {
    std::vector<std::string> words;
    std::string word;
    for (char c : line) {
        if (c == ' ' || c == '\t') {
            if (!word.empty()) words.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) words.push_back(word);
    return words;
}

}  // namespace

LibfmData load_libfm(const std::string& path) { return parse_libfm(read_text_file(path), path); }

LibfmData parse_libfm(const std::string& text, const std::string& name) {
    Lines lines(text, name);  // skips a byte-order mark, refuses NUL bytes
    LibfmData data;
    std::string line;
    while (lines.next(line)) {
        const std::vector<std::string> words = words_of(line);
        if (words.empty()) continue;
        const std::string where = lines.where();
        double label = 0;
        if (!finite_number(words[0], label)) {
            throw std::runtime_error(where + ": expected a label (a finite number) first, found '" + words[0] + "'");
        }
        const std::size_t m = words.size() - 1;
        if (m == 0) throw std::runtime_error(where + ": the label has no index:value pairs after it");
        if (data.fields == 0) data.fields = m;
        if (m != data.fields) {
            throw std::runtime_error(where + ": " + std::to_string(m) + " index:value pairs, but the first example has " +
                                     std::to_string(data.fields) + " (every line needs one per field)");
        }
        for (std::size_t k = 1; k < words.size(); ++k) {
            const std::string& pair = words[k];
            const std::size_t colon = pair.find(':');
            int index = 0;
            double value = 0;
            if (colon == std::string::npos || !finite_number(pair.substr(colon + 1), value)) {
                throw std::runtime_error(where + ": expected index:value, found '" + pair + "'");
            }
            if (!feature_index(pair.substr(0, colon), index)) {
                throw std::runtime_error(where + ": the index in '" + pair + "' is not a whole number from 0 to " +
                                         std::to_string(libfm_max_index));
            }
            data.features.push_back(index);
            data.values.push_back(value);
            data.feature_count = std::max(data.feature_count, std::size_t(index) + 1);
        }
        data.labels.push_back(label);
    }
    if (data.labels.empty()) throw std::runtime_error(name + ": no examples (expected lines 'label index:value ...')");
    return data;
}

}  // namespace attn
