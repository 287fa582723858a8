// sequences: copy, reverse and sort over a small alphabet; test sets bucketed by length.
#include <algorithm>

#include "generate.hpp"

namespace gen {

namespace {

const std::vector<std::string> alphabet{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};

std::string join(const std::vector<std::string>& tokens) {
    std::string s;
    for (std::size_t i = 0; i < tokens.size(); ++i) s += (i ? " " : "") + tokens[i];
    return s;
}

std::vector<std::string> task(const std::string& name, std::vector<std::string> input) {
    if (name == "reverse") std::reverse(input.begin(), input.end());
    if (name == "sort") std::sort(input.begin(), input.end());
    return input;
}

std::vector<std::string> examples(const std::string& name, std::size_t n, int min_length, int max_length, attn::Rng& rng) {
    std::vector<std::string> lines;
    for (std::size_t k = 0; k < n; ++k) {
        std::vector<std::string> input(std::size_t(between(min_length, max_length, rng)));
        for (std::string& symbol : input) symbol = pick(alphabet, rng);
        lines.push_back(join(input) + "\t" + join(task(name, input)));
    }
    return lines;
}

}  // namespace

void sequences(const std::string& folder, std::uint64_t seed, int min_length, int max_length) {
    attn::Rng rng(seed);
    // test buckets of ten lengths each: min..min+9, min+10..min+19, ..., the last one cut at max
    std::vector<std::pair<int, int>> buckets;
    for (int lo = min_length; lo <= max_length; lo += 10) buckets.emplace_back(lo, std::min(lo + 9, max_length));
    for (const std::string name : {"copy", "reverse", "sort"}) {
        const std::string dir = folder + "/" + name;
        write_lines(dir + "/train.tsv", examples(name, 8000, min_length, max_length, rng));
        write_lines(dir + "/valid.tsv", examples(name, 500, min_length, max_length, rng));
        for (const auto& [lo, hi] : buckets) {
            char file[64];
            std::snprintf(file, sizeof file, "/test_%02d-%02d.tsv", lo, hi);
            write_lines(dir + file, examples(name, 200, lo, hi, rng));
        }
    }
}

}  // namespace gen
