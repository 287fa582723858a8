// attn/data/libfm.hpp — the libFM text format (Rendle 2012), which the factorization-machine
// literature's data sets (Frappe, MovieLens-tag) and reference code use: one example a line,
//
//     label index:value index:value ...
//
// label and value real numbers, index a feature number from 0. As in the AFM reference code, every
// line carries the same number m of index:value pairs, the k-th belonging to field k (one feature
// per field: which user, which item, which hour, ...). Lines of blanks are skipped; a UTF-8
// byte-order mark at the start of the file is ignored. Errors name the file, the line and what was
// expected ("train.libfm:17: expected index:value, found '3:'").
#pragma once

#include <string>
#include <vector>

namespace attn {

struct LibfmData {
    std::vector<double> labels;        // N
    std::vector<int> features;         // N * m, row-major: example n's field k is features[n * m + k]
    std::vector<double> values;        // N * m
    std::size_t fields = 0;            // m
    std::size_t feature_count = 0;     // 1 + the largest index
    std::size_t size() const { return labels.size(); }
};

/// The largest feature index accepted (2^24 - 1): an embedding table is as long as the largest
/// index, so a stray huge number would otherwise ask for gigabytes.
constexpr int libfm_max_index = (1 << 24) - 1;

/// Reads a libFM file. Throws std::runtime_error naming the file and line: a malformed label or
/// index:value, an index that is negative or above libfm_max_index, a line without features, a
/// line with another number of features than the first, a number that is not finite, no examples.
LibfmData load_libfm(const std::string& path);
/// The same from text in memory; `name` stands for the file in error messages.
LibfmData parse_libfm(const std::string& text, const std::string& name);

}  // namespace attn
