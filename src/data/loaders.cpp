// Parallel TSV and classification CSV loaders (see attn/data/loaders.hpp).
#include "attn/data/loaders.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <stdexcept>

#include "attn/data/lines.hpp"
#include "attn/data/text.hpp"

namespace attn {

namespace {

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) return fields;
        start = tab + 1;
    }
}

bool is_number(const std::string& s) {
    if (s.empty()) return false;
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size();
}

/// A malformed line: throw, or count it when the user asked to skip.
void malformed(const std::string& where, const std::string& what, const LoadOptions& options, LoadReport& report) {
    if (!options.skip_malformed) throw std::runtime_error(where + ": " + what);
    ++report.skipped;
}

}  // namespace

std::vector<SentencePair> load_parallel_tsv(const std::string& path, const LoadOptions& options, LoadReport* report) {
    return parse_parallel_tsv(read_text_file(path), path, options, report);
}

std::vector<SentencePair> parse_parallel_tsv(const std::string& text, const std::string& path, const LoadOptions& options,
                                             LoadReport* report_out) {
    Lines lines(text, path);
    LoadReport report;
    std::vector<SentencePair> pairs;
    std::string line;
    while (lines.next(line)) {
        if (line.empty()) continue;
        ++report.lines;
        const std::string where = lines.where();
        if (const std::string problem = utf8_problem(line); !problem.empty()) {
            malformed(where, problem, options, report);
            continue;
        }
        const std::vector<std::string> fields = split_tabs(line);
        if (fields.size() < 2) {
            malformed(where, "expected at least 2 tab-separated columns (source, target), found 1", options, report);
            continue;
        }
        if (fields[0].empty() || fields[1].empty()) {
            malformed(where, std::string("the ") + (fields[0].empty() ? "source" : "target") + " column is empty",
                      options, report);
            continue;
        }
        pairs.push_back({fields[0], fields[1]});
        if (options.max_examples > 0 && pairs.size() >= options.max_examples) break;
    }
    if (pairs.empty()) throw std::runtime_error(path + ": no sentence pairs found (expected source<TAB>target lines)");
    if (report_out != nullptr) *report_out = report;
    return pairs;
}

std::vector<std::string> parse_csv_record(const std::string& record) {
    std::vector<std::string> fields(1);
    bool quoted = false, was_quoted = false;
    for (std::size_t i = 0; i < record.size(); ++i) {
        const char c = record[i];
        if (quoted) {
            if (c == '"' && i + 1 < record.size() && record[i + 1] == '"') {
                fields.back() += '"';  // "" inside quotes is one quote
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == ',') {
            fields.emplace_back();
            was_quoted = false;
        } else if (c == '"' && fields.back().empty() && !was_quoted) {
            quoted = was_quoted = true;
        } else if (was_quoted) {
            throw std::invalid_argument("unexpected character '" + std::string(1, c) + "' after a closing quote in field " +
                                        std::to_string(fields.size()));
        } else {
            fields.back() += c;
        }
    }
    if (quoted) throw std::invalid_argument("a quoted field is not closed");
    return fields;
}

LabelledTexts load_classification_csv(const std::string& path, const LoadOptions& options, LoadReport* report) {
    return parse_classification_csv(read_text_file(path), path, options, report);
}

LabelledTexts parse_classification_csv(const std::string& text, const std::string& path, const LoadOptions& options,
                                       LoadReport* report_out) {
    Lines lines(text, path);
    LoadReport report;
    std::vector<std::pair<std::string, std::string>> rows;  // label, text
    std::string line, record;
    std::size_t record_start = 0, quotes = 0;  // quotes: '"' characters in `record` so far
    std::size_t columns = 0;  // 2 or 3, fixed by the first data record
    while (lines.next(line)) {
        if (record.empty()) {
            if (line.empty()) continue;
            record_start = lines.number();
            record = line;
        } else {
            record += "\n" + line;  // a newline inside a quoted field
        }
        quotes += std::size_t(std::count(line.begin(), line.end(), '"'));
        if (quotes % 2 == 1) {  // a quote is still open: the record goes on on the next line
            if (record.size() > Lines::max_line_bytes) {
                throw std::runtime_error(path + ":" + std::to_string(record_start) + ": a quoted field runs on for over " +
                                         std::to_string(Lines::max_line_bytes) + " bytes (is a closing quote missing?)");
            }
            continue;
        }
        quotes = 0;
        const std::string where = path + ":" + std::to_string(record_start);
        std::string current;
        std::swap(current, record);
        if (const std::string problem = utf8_problem(current); !problem.empty()) {
            malformed(where, problem, options, report);
            continue;
        }
        std::vector<std::string> fields;
        try {
            fields = parse_csv_record(current);
        } catch (const std::invalid_argument& error) {
            malformed(where, error.what(), options, report);
            continue;
        }
        if (record_start == 1 && fields.size() == 2 && (fields[0] == "label" || fields[0] == "category" || fields[0] == "class")) {
            continue;  // header line
        }
        ++report.lines;
        if (columns == 0) columns = fields.size();
        if ((fields.size() != 2 && fields.size() != 3) || fields.size() != columns) {
            malformed(where, "expected " + (columns == 3 ? std::string("3 columns (\"class\",\"title\",\"text\")")
                                                          : std::string("2 columns (label,text)")) +
                                 ", found " + std::to_string(fields.size()),
                      options, report);
            if (columns != 2 && columns != 3) columns = 0;
            continue;
        }
        std::string text = fields.size() == 3 ? fields[1] + ". " + fields[2] : fields[1];
        for (std::size_t at; (at = text.find("\\n")) != std::string::npos;) text.replace(at, 2, " ");
        if (fields[0].empty()) {
            malformed(where, "the label is empty", options, report);
            continue;
        }
        rows.emplace_back(fields[0], text);
        if (options.max_examples > 0 && rows.size() >= options.max_examples) break;
    }
    if (!record.empty()) {
        LoadReport ignored;
        malformed(path + ":" + std::to_string(record_start), "a quoted field is not closed before the end of the file",
                  LoadOptions{false, 0}, ignored);
    }
    if (rows.empty()) throw std::runtime_error(path + ": no labelled texts found (expected label,text lines)");

    LabelledTexts data;
    bool numeric = true;
    std::map<std::string, int> seen;
    for (const auto& row : rows) {
        seen.emplace(row.first, 0);
        numeric = numeric && is_number(row.first);
    }
    for (const auto& entry : seen) data.label_names.push_back(entry.first);
    if (numeric) {
        std::sort(data.label_names.begin(), data.label_names.end(),
                  [](const std::string& a, const std::string& b) { return std::strtod(a.c_str(), nullptr) < std::strtod(b.c_str(), nullptr); });
    }
    for (std::size_t k = 0; k < data.label_names.size(); ++k) seen[data.label_names[k]] = int(k);
    for (auto& [label, text] : rows) {
        data.labels.push_back(seen[label]);
        data.texts.push_back(std::move(text));
    }
    if (report_out != nullptr) *report_out = report;
    return data;
}

}  // namespace attn
