// attn/support/utf8.hpp — UTF-8: validation, and text as code points.
#pragma once

#include <string>
#include <vector>

namespace attn {

/// Empty when `text` is valid UTF-8; otherwise what is wrong and at which byte ("invalid UTF-8 at byte 7").
std::string utf8_problem(const std::string& text);

/// Code points as strings. Throws std::invalid_argument on invalid UTF-8.
std::vector<std::string> split_characters(const std::string& text);

/// Code points as numbers, and back. decode throws std::invalid_argument on invalid UTF-8.
std::vector<char32_t> decode_utf8(const std::string& text);
std::string encode_utf8(char32_t code_point);

/// The lower-case letter of an upper-case one in the Latin (ASCII, Latin-1, Latin Extended-A),
/// Greek and Cyrillic alphabets — É -> é, Ç -> ç, Ñ -> ñ, Œ -> œ, Ÿ -> ÿ, Σ -> σ, Д -> д — and
/// every other code point unchanged. Simple one-to-one case mapping, as Unicode's
/// UnicodeData.txt gives it for these blocks (İ, whose lower case is two code points, stays).
char32_t lower_code_point(char32_t c);
/// The text with lower_code_point applied to every code point. Throws on invalid UTF-8.
std::string to_lower(const std::string& text);

}  // namespace attn
