// attn/data/lines.hpp — reading text files line by line, the same way in every parser.
//
// Every loader (TSV, CSV, vocabulary, checkpoint manifest, the shipped datasets) reads its file
// whole with read_text_file and walks it with Lines, so they all agree on the details: \n or \r\n
// line ends, lines numbered from 1 for error messages, and a cap on line length so that a binary
// file or a file without line breaks is refused with a message instead of exhausting memory.
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
    /// std::runtime_error ("name:N: line is ... bytes long ...") for a line over the cap.
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
