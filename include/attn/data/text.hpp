// attn/data/text.hpp — UTF-8 and tokenisation.
//
// Word level: split on whitespace (including the no-break and narrow no-break spaces of French
// typography), and split punctuation off the words ("Va !" and "Go." give "go", "." and "va",
// "!"; "¿Dónde?" gives "¿", "dónde", "?"), typographic apostrophes made ASCII ("l’été" = "l'été"),
// optionally lower-cased in the Latin, Greek and Cyrillic alphabets ("Êtes-vous" -> "êtes-vous").
// Character level: one token per Unicode code point, so "é" (two bytes) is one character.
#pragma once

#include <string>
#include <vector>

#include "attn/support/utf8.hpp"  // utf8_problem, split_characters

namespace attn {

/// Words and punctuation marks: ASCII punctuation (but ' and -), ¡ ¿ « » “ ” „ – — each become a
/// token, … three "." tokens; ’ ‘ and ʼ become '. `lower`: attn::lower_code_point on every letter.
std::vector<std::string> split_words(const std::string& text, bool lower = true);

/// Joins tokens with single spaces.
std::string join(const std::vector<std::string>& tokens, const std::string& separator = " ");

}  // namespace attn
