// Fault injection points (see attn/support/fault.hpp).
#include "attn/support/fault.hpp"

#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

namespace attn {

void fault_point(const char* name) {
    const char* spec = std::getenv("ATTN_FAULT");  // read every time, so a test can set it between calls
    if (spec == nullptr) return;
    const std::string text(spec), point(name);
    if (text.compare(0, point.size() + 1, point + ":") != 0) return;
    const std::size_t colon = text.find(':', point.size() + 1);
    if (colon == std::string::npos) throw std::invalid_argument("ATTN_FAULT must be <point>:<n>:kill or <point>:<n>:fail");
    const long wanted = std::strtol(text.c_str() + point.size() + 1, nullptr, 10);
    const std::string action = text.substr(colon + 1);

    static std::mutex mutex;
    static std::map<std::string, long> hits;  // per point, since the process started
    std::lock_guard<std::mutex> lock(mutex);
    if (++hits[point] != wanted) return;
    if (action == "kill") std::raise(SIGKILL);
    if (action == "fail") throw std::runtime_error(std::string("injected failure at ") + name + " (ATTN_FAULT)");
    throw std::invalid_argument("ATTN_FAULT: the action must be kill or fail, not '" + action + "'");
}

}  // namespace attn
