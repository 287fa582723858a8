// UTF-8 validation and the two tokenisers (see attn/data/text.hpp).
#include "attn/data/text.hpp"

#include <cctype>
#include <stdexcept>

namespace attn {

namespace {

/// Length of the UTF-8 sequence starting at text[i], or 0 if it is not valid there.
std::size_t sequence_length(const std::string& text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t n;
    unsigned min_code;
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) { n = 2; min_code = 0x80; }
    else if ((lead & 0xF0) == 0xE0) { n = 3; min_code = 0x800; }
    else if ((lead & 0xF8) == 0xF0) { n = 4; min_code = 0x10000; }
    else return 0;
    if (i + n > text.size()) return 0;
    unsigned code = lead & (0xFF >> (n + 1));
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        code = (code << 6) | (byte(i + k) & 0x3F);
    }
    // overlong forms, surrogates and values beyond U+10FFFF are invalid
    if (code < min_code || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return 0;
    return n;
}

}  // namespace

std::string utf8_problem(const std::string& text) {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = sequence_length(text, i);
        if (n == 0) return "invalid UTF-8 at byte " + std::to_string(i + 1);
        i += n;
    }
    return "";
}

std::vector<std::string> split_characters(const std::string& text) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = sequence_length(text, i);
        if (n == 0) throw std::invalid_argument("invalid UTF-8 at byte " + std::to_string(i + 1));
        out.push_back(text.substr(i, n));
        i += n;
    }
    return out;
}

std::vector<std::string> split_words(const std::string& text, bool lower) {
    if (const std::string problem = utf8_problem(text); !problem.empty()) throw std::invalid_argument(problem);
    std::vector<std::string> out;
    std::string word;
    auto flush = [&] {
        if (!word.empty()) out.push_back(word);
        word.clear();
    };
    // Unicode spaces count as spaces: French typography puts a (narrow) no-break space before ? ! : ;
    static const std::string unicode_spaces[] = {"\xc2\xa0", "\xe2\x80\xaf", "\xe2\x80\x89", "\xe2\x80\x87"};
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        const unsigned char c = static_cast<unsigned char>(ch);
        bool unicode_space = false;
        for (const std::string& space : unicode_spaces) {
            if (text.compare(i, space.size(), space) == 0) {
                unicode_space = true;
                i += space.size() - 1;
                break;
            }
        }
        if (unicode_space || std::isspace(c)) {
            flush();
        } else if (c < 0x80 && std::ispunct(c) && c != '\'' && c != '-') {
            flush();  // punctuation stands alone; apostrophes and hyphens stay inside words
            out.push_back(std::string(1, ch));
        } else {
            word += lower && c < 0x80 ? char(std::tolower(c)) : ch;
        }
    }
    flush();
    return out;
}

std::string join(const std::vector<std::string>& tokens, const std::string& separator) {
    std::string out;
    for (std::size_t i = 0; i < tokens.size(); ++i) out += (i ? separator : "") + tokens[i];
    return out;
}

}  // namespace attn
