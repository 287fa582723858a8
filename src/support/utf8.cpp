// UTF-8 validation and code points (see attn/support/utf8.hpp).
#include "attn/support/utf8.hpp"

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

}  // namespace attn
