// The two tokenisers (see attn/data/text.hpp).
#include "attn/data/text.hpp"

#include <cctype>
#include <stdexcept>

namespace attn {

namespace {

bool is_space(char32_t c) {
    // French typography puts a (narrow) no-break space before ? ! : ; — all of these separate words
    return c == U' ' || (c >= 0x09 && c <= 0x0D) || c == 0xA0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x3000;
}

/// A mark that is a token of its own: ASCII punctuation but the apostrophe and the hyphen (which
/// stay inside "n'aime", "l'été", "twenty-one"), Spanish ¡ ¿, guillemets, typographic quotes and dashes.
bool is_punctuation(char32_t c) {
    if (c < 0x80) return std::ispunct(int(c)) && c != U'\'' && c != U'-';
    return c == 0xA1 || c == 0xBF || c == 0xAB || c == 0xBB || c == 0x201C || c == 0x201D || c == 0x201E || c == 0x2013 ||
           c == 0x2014 || c == 0x2039 || c == 0x203A;
}

}  // namespace

std::vector<std::string> split_words(const std::string& text, bool lower) {
    if (const std::string problem = utf8_problem(text); !problem.empty()) throw std::invalid_argument(problem);
    std::vector<std::string> out;
    std::string word;
    auto flush = [&] {
        if (!word.empty()) out.push_back(word);
        word.clear();
    };
    for (char32_t c : decode_utf8(text)) {
        if (c == 0x2019 || c == 0x2018 || c == 0x02BC) c = U'\'';  // typographic apostrophes are apostrophes
        if (is_space(c)) {
            flush();
        } else if (c == 0x2026) {  // the ellipsis character reads as "..."
            flush();
            out.insert(out.end(), 3, ".");
        } else if (is_punctuation(c)) {
            flush();
            out.push_back(encode_utf8(c));
        } else {
            word += encode_utf8(lower ? lower_code_point(c) : c);
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
