// attn/data/text.hpp — UTF-8 and tokenisation.
//
// Word level: split on whitespace (including the no-break and narrow no-break spaces of French
// typography), and split punctuation off the words ("Va !" and "Go." give
// "go", "." and "va", "!"), optionally lower-cased (ASCII letters only: accented letters are kept).
// Character level: one token per Unicode code point, so "é" (two bytes) is one character.
#pragma once

#include <string>
#include <vector>

namespace attn {

/// Empty when `text` is valid UTF-8; otherwise what is wrong and at which byte ("invalid UTF-8 at byte 7").
std::string utf8_problem(const std::string& text);

/// Code points as strings. Throws std::invalid_argument on invalid UTF-8.
std::vector<std::string> split_characters(const std::string& text);

/// Words and punctuation marks. ASCII punctuation becomes its own token; `lower` lower-cases ASCII.
std::vector<std::string> split_words(const std::string& text, bool lower = true);

/// Joins tokens with single spaces.
std::string join(const std::vector<std::string>& tokens, const std::string& separator = " ");

}  // namespace attn
