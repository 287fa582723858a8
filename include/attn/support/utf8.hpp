// attn/support/utf8.hpp — UTF-8: validation, and text as code points.
#pragma once

#include <string>
#include <vector>

namespace attn {

/// Empty when `text` is valid UTF-8; otherwise what is wrong and at which byte ("invalid UTF-8 at byte 7").
std::string utf8_problem(const std::string& text);

/// Code points as strings. Throws std::invalid_argument on invalid UTF-8.
std::vector<std::string> split_characters(const std::string& text);

}  // namespace attn
