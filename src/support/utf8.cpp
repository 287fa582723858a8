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

std::vector<char32_t> decode_utf8(const std::string& text) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = sequence_length(text, i);
        if (n == 0) throw std::invalid_argument("invalid UTF-8 at byte " + std::to_string(i + 1));
        const unsigned char lead = static_cast<unsigned char>(text[i]);
        char32_t code = n == 1 ? lead : lead & (0xFF >> (n + 1));
        for (std::size_t k = 1; k < n; ++k) code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
        out.push_back(code);
        i += n;
    }
    return out;
}

std::string encode_utf8(char32_t c) {
    std::string out;
    if (c < 0x80) {
        out += char(c);
    } else if (c < 0x800) {
        out += char(0xC0 | (c >> 6));
        out += char(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += char(0xE0 | (c >> 12));
        out += char(0x80 | ((c >> 6) & 0x3F));
        out += char(0x80 | (c & 0x3F));
    } else {
        out += char(0xF0 | (c >> 18));
        out += char(0x80 | ((c >> 12) & 0x3F));
        out += char(0x80 | ((c >> 6) & 0x3F));
        out += char(0x80 | (c & 0x3F));
    }
    return out;
}

char32_t lower_code_point(char32_t c) {
    if (c >= U'A' && c <= U'Z') return c + 32;
    if (c < 0xC0) return c;
    if (c <= 0xDE) return c == 0xD7 ? c : c + 32;  // À..Þ -> à..þ, but × (U+00D7) is not a letter
    if (c == 0x178) return 0xFF;                    // Ÿ -> ÿ
    // Latin Extended-A: upper/lower pairs, upper first; the pairs shift by one at U+0139 and U+0179
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c == 0x130 ? c : (c % 2 == 0 ? c + 1 : c);
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return c % 2 == 1 ? c + 1 : c;
    if (c == 0x386) return 0x3AC;                                        // Ά
    if (c >= 0x388 && c <= 0x38A) return c + 37;                         // Έ Ή Ί
    if (c == 0x38C) return 0x3CC;                                        // Ό
    if (c == 0x38E || c == 0x38F) return c + 63;                         // Ύ Ώ
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;           // Α..Ϋ
    if (c >= 0x400 && c <= 0x40F) return c + 80;                         // Ѐ..Џ
    if (c >= 0x410 && c <= 0x42F) return c + 32;                         // А..Я
    return c;
}

std::string to_lower(const std::string& text) {
    std::string out;
    for (const char32_t c : decode_utf8(text)) out += encode_utf8(lower_code_point(c));
    return out;
}

}  // namespace attn
