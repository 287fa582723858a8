// tools/datasets — the generators behind datasets/. Each writes its files with attn::Rng, so the
// committed files are regenerated bit for bit on any platform (tests/datasets_regenerate.sh).
#pragma once

#include <string>
#include <vector>

#include "attn/support/io.hpp"
#include "attn/random.hpp"

namespace gen {

/// A uniformly chosen element.
template <class T>
const T& pick(const std::vector<T>& items, attn::Rng& rng) {
    return items[rng.below(items.size())];
}

/// Integer in [lo, hi].
inline int between(int lo, int hi, attn::Rng& rng) { return lo + int(rng.below(std::uint64_t(hi - lo + 1))); }

/// Joins lines with '\n' (and a final one) and writes the file atomically.
inline void write_lines(const std::string& path, const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines) text += line + "\n";
    attn::write_file_atomically(path, text);
}

void dates(const std::string& folder, std::uint64_t seed);
void sequences(const std::string& folder, std::uint64_t seed, int min_length, int max_length);
void translation(const std::string& folder, std::uint64_t seed);
void reviews(const std::string& folder, std::uint64_t seed);
void interactions(const std::string& folder, std::uint64_t seed);

}  // namespace gen
