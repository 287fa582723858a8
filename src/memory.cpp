// Refusing arrays that cannot fit (see attn/memory.hpp).
#include "attn/memory.hpp"

#include <atomic>
#include <cstdio>

#include <unistd.h>

#include "attn/config.hpp"

namespace attn {

namespace {

std::atomic<std::size_t> parameters_alive{0};
std::atomic<std::size_t> limit_set{0};

std::size_t physical_memory() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? std::size_t(pages) * std::size_t(page) : std::size_t(-1);
}

/// Bytes of `copies` arrays of `shape`, or nothing when the product overflows.
bool bytes_of(const Shape& shape, std::size_t copies, double& bytes) {
    std::size_t n = copies * sizeof(real);
    for (std::size_t extent : shape) {
        if (__builtin_mul_overflow(n, extent, &n)) {
            bytes = double(copies) * double(sizeof(real));
            for (std::size_t e : shape) bytes *= double(e);
            return false;
        }
    }
    bytes = double(n);
    return true;
}

std::string machine() {
    return limit_set.load() == 0 ? "this machine's " + bytes_text(double(memory_limit())) + " of memory"
                                 : "the memory limit of " + bytes_text(double(memory_limit()));
}

}  // namespace

std::string bytes_text(double bytes) {
    const char* units[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
    int u = 0;
    while (bytes >= 1000 && u < 6) {
        bytes /= 1000;
        ++u;
    }
    char text[48];
    std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
    return text;
}

std::size_t memory_limit() {
    const std::size_t set = limit_set.load();
    return set != 0 ? set : physical_memory();
}

void set_memory_limit(std::size_t bytes) { limit_set = bytes; }

std::size_t parameter_bytes_alive() { return parameters_alive.load(); }

void require_memory(const Shape& shape, std::size_t copies) {
    double bytes = 0;
    const bool exact = bytes_of(shape, copies, bytes);
    const double alive = 4.0 * double(parameters_alive.load()), limit = double(memory_limit());
    if (exact && alive + bytes <= limit) return;
    const std::string what = "a " + to_string(shape) + " array" +
                             (copies > 1 ? " to train (x" + std::to_string(copies) + ": value, gradient, Adam's two moments)" : "");
    throw OutOfMemory(what + " needs " + bytes_text(bytes) +
                      (alive > 0 ? ", beside " + bytes_text(alive) + " for the parameters made so far" : "") +
                      ", more than " + machine());
}

void count_parameter_bytes(long long bytes) {
    if (bytes < 0) {
        parameters_alive -= std::size_t(-bytes);
        return;
    }
    const std::size_t total = parameters_alive.load() + std::size_t(bytes);
    if (4.0 * double(total) > double(memory_limit())) {
        throw OutOfMemory("the parameters need " + bytes_text(4.0 * double(total)) +
                          " to train (x4: values, gradients, Adam's two moments), more than " + machine());
    }
    parameters_alive += std::size_t(bytes);
}

}  // namespace attn
