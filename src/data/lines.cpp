// Line-by-line reading shared by every parser (see attn/data/lines.hpp).
#include "attn/data/lines.hpp"

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

Lines::Lines(const std::string& text, std::string name) : text_(text), name_(std::move(name)) {}

bool Lines::next(std::string& line) {
    if (position_ >= text_.size()) return false;
    ++number_;
    std::size_t end = text_.find('\n', position_);
    if (end == std::string::npos) end = text_.size();
    std::size_t length = end - position_;
    if (length > 0 && text_[position_ + length - 1] == '\r') --length;
    if (length > max_line_bytes) {
        throw std::runtime_error(where() + ": line is " + std::to_string(length) + " bytes long, over the limit of " +
                                 std::to_string(max_line_bytes) + " (is this a text file with one record a line?)");
    }
    line.assign(text_, position_, length);
    position_ = end + 1;
    return true;
}

std::string Lines::where() const { return name_ + ":" + std::to_string(number_); }

}  // namespace attn
