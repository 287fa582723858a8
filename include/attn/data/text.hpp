// attn/data/text.hpp — UTF-8 and tokenisation.
//
// Word level: split on whitespace (including the no-break and narrow no-break spaces of French
// typography), and split punctuation off the words ("Va !" and "Go." give
// "go", "." and "va", "!"), optionally lower-cased (ASCII letters only: accented letters are kept).
// Character level: one token per Unicode code point, so "é" (two bytes) is one character.
#pragma once

#include <string>
#include <vector>

#include "attn/support/utf8.hpp"  // utf8_problem, split_characters

namespace attn {

/// Words and punctuation marks. ASCII punctuation becomes its own token; `lower` lower-cases ASCII.
std::vector<std::string> split_words(const std::string& text, bool lower = true);

/// Joins tokens with single spaces.
std::string join(const std::vector<std::string>& tokens, const std::string& separator = " ");

}  // namespace attn
