// attn/data/loaders.hpp — reading the formats users bring: parallel TSV and classification CSV.
//
// Errors name the file, the line and what was expected ("pairs.tsv:17: expected at least 2
// tab-separated columns (source, target), found 1"). With skip_malformed the loader skips such
// lines instead and counts them.
#pragma once

#include <string>
#include <vector>

namespace attn {

struct LoadOptions {
    bool skip_malformed = false;
    std::size_t max_examples = 0;  // 0 = all
};

struct LoadReport {
    std::size_t lines = 0;    // lines read (excluding a header)
    std::size_t skipped = 0;  // malformed lines skipped (only with skip_malformed)
};

struct SentencePair {
    std::string source, target;
};

/// Tatoeba / Anki format: `source<TAB>target[<TAB>attribution...]`, UTF-8, one pair a line.
/// CRLF line ends are accepted; blank lines are skipped.
std::vector<SentencePair> load_parallel_tsv(const std::string& path, const LoadOptions& options = {},
                                            LoadReport* report = nullptr);
/// The same from text in memory; `name` stands for the file in error messages.
std::vector<SentencePair> parse_parallel_tsv(const std::string& text, const std::string& name,
                                             const LoadOptions& options = {}, LoadReport* report = nullptr);

struct LabelledTexts {
    std::vector<std::string> texts;
    std::vector<int> labels;               // indices into label_names
    std::vector<std::string> label_names;  // sorted (numerically when all labels are numbers)
};

/// Classification CSV, RFC 4180 quoting ("a ""quoted"" word", commas and newlines inside quotes).
///  - Zhang et al. 2015 format: `"class","title","text"` — title and text are joined with ". ";
///    the literal two characters \n in their texts become spaces.
///  - plain `label,text` (two columns), with an optional header line `label,text` / `category,text`.
std::vector<std::string> parse_csv_record(const std::string& record);
LabelledTexts load_classification_csv(const std::string& path, const LoadOptions& options = {},
                                      LoadReport* report = nullptr);
/// The same from text in memory; `name` stands for the file in error messages.
LabelledTexts parse_classification_csv(const std::string& text, const std::string& name,
                                       const LoadOptions& options = {}, LoadReport* report = nullptr);

}  // namespace attn
