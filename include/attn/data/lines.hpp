// attn/data/lines.hpp — reading text files line by line, the same way in every parser.
//
// Every loader (TSV, CSV, vocabulary, checkpoint manifest, the shipped datasets) reads its file
// whole with read_text_file and walks it with Lines, so they all agree on the details: \n, \r\n or
// \r line ends (the last: old Mac and Excel exports), a UTF-8 byte-order mark at the start skipped
// (Windows editors write one), lines numbered from 1 for error messages, and refusals with the cause
// named for what is not UTF-8 text — a UTF-16 file, NUL bytes (a binary file), a line over the cap
// (a file without line breaks) — instead of garbled records or exhausted memory.
#pragma once

#include <cstddef>
#include <string>

namespace attn {

/// The whole file. Throws std::runtime_error naming the path: missing, a directory, unreadable.
std::string read_text_file(const std::string& path);

class Lines {
public:
    /// Longest line accepted (1 MiB). The longest real line we know of, a BBC news article on one
    /// CSV line, is about 25 KB.
    static constexpr std::size_t max_line_bytes = std::size_t(1) << 20;

    /// `name` is the file name used in messages; `text` must outlive this object.
    Lines(const std::string& text, std::string name);

    /// The next line without its line end; false at the end of the text. Throws
    /// std::runtime_error naming the line ("name:N: ...") for a line over the cap or a NUL byte,
    /// and for a file that starts with a UTF-16 byte-order mark.
    bool next(std::string& line);

    std::size_t number() const { return number_; }  // of the line last returned, from 1
    /// "name:N" for the line last returned, the prefix of every error message about it.
    std::string where() const;
    const std::string& name() const { return name_; }

private:
    const std::string& text_;
    std::string name_;
    std::size_t position_ = 0, number_ = 0;
};

}  // namespace attn
