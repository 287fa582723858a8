// Line-by-line reading shared by every parser (see attn/data/lines.hpp).
#include "attn/data/lines.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace attn {

std::string read_text_file(const std::string& path) {
    std::error_code error;
    if (!std::filesystem::exists(path, error)) throw std::runtime_error(path + ": no such file");
    if (std::filesystem::is_directory(path, error)) throw std::runtime_error(path + ": is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot be opened for reading");
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) throw std::runtime_error(path + ": read error");
    return content.str();
}

Lines::Lines(const std::string& text, std::string name) : text_(text), name_(std::move(name)) {
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) position_ = 3;  // the UTF-8 byte-order mark: not part of the first field
    if (text_.compare(0, 2, "\xFF\xFE") == 0 || text_.compare(0, 2, "\xFE\xFF") == 0) {
        throw std::runtime_error(name_ + ": the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8");
    }
}

bool Lines::next(std::string& line) {
    if (position_ >= text_.size()) return false;
    ++number_;
    // The line ends at the first \n or \r; a \r\n pair is one line end.
    std::size_t end = text_.find_first_of("\n\r", position_);
    if (end == std::string::npos) end = text_.size();
    const std::size_t length = end - position_;
    if (length > max_line_bytes) {
        throw std::runtime_error(where() + ": line is " + std::to_string(length) + " bytes long, over the limit of " +
                                 std::to_string(max_line_bytes) + " (is this a text file with one record a line?)");
    }
    if (const void* nul = std::memchr(text_.data() + position_, '\0', length)) {
        const std::size_t byte = std::size_t(static_cast<const char*>(nul) - (text_.data() + position_)) + 1;
        throw std::runtime_error(where() + ": a NUL byte at byte " + std::to_string(byte) +
                                 " (a binary or UTF-16 file? save it as UTF-8 text)");
    }
    line.assign(text_, position_, length);
    position_ = end + (text_.compare(end, 2, "\r\n") == 0 ? 2 : 1);
    return true;
}

std::string Lines::where() const { return name_ + ":" + std::to_string(number_); }

}  // namespace attn
