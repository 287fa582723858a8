// The two tokenisers (see attn/data/text.hpp).
#include "attn/data/text.hpp"

#include <cctype>
#include <stdexcept>

namespace attn {

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
