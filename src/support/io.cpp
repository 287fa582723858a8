// Atomic file output: write a sibling temp file, flush it, rename it over the target.
#include "attn/support/io.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <unistd.h>

#include "attn/support/fault.hpp"
#include "attn/support/signals.hpp"

namespace attn {

void write_file_atomically(const std::string& path, const std::string& content) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    std::error_code error;
    if (target.has_parent_path()) {
        fs::create_directories(target.parent_path(), error);
        if (error) {
            throw std::runtime_error("cannot create folder " + target.parent_path().string() + " for " + path +
                                     ": " + error.message());
        }
    }
    const DeferSignals finish_first;  // Ctrl-C stops the program after the rename, not between open and rename
    const std::string temp = path + ".tmp." + std::to_string(::getpid());
    std::FILE* file = std::fopen(temp.c_str(), "wb");
    if (file == nullptr) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    const bool written = std::fwrite(content.data(), 1, content.size(), file) == content.size() &&
                         std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
    const int write_errno = errno;
    if (std::fclose(file) != 0 || !written) {
        std::remove(temp.c_str());
        throw std::runtime_error("cannot write " + path + ": " + std::strerror(written ? errno : write_errno));
    }
    try {
        fault_point("write:before-rename");
    } catch (...) {
        std::remove(temp.c_str());
        throw;
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        const int rename_errno = errno;
        std::remove(temp.c_str());
        throw std::runtime_error("cannot write " + path + ": " + std::strerror(rename_errno));
    }
}

void ensure_writable_folder(const std::string& folder) {
    namespace fs = std::filesystem;
    std::error_code error;
    fs::create_directories(folder, error);
    if (error) throw std::runtime_error("cannot create output folder " + folder + ": " + error.message());
    if (!fs::is_directory(folder)) throw std::runtime_error("output folder " + folder + " is not a folder");
    const std::string probe = folder + "/.attn_write_test." + std::to_string(::getpid());
    std::FILE* file = std::fopen(probe.c_str(), "wb");
    if (file == nullptr) throw std::runtime_error("cannot write in output folder " + folder + ": " + std::strerror(errno));
    std::fclose(file);
    std::remove(probe.c_str());
}

}  // namespace attn
