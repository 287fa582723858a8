// attn/support/json.hpp — writing the small JSON objects of metrics.json (no parsing needed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

class JsonObject {
public:
    JsonObject& add(const std::string& key, double value);  // NaN and inf become null
    JsonObject& add(const std::string& key, long value);
    /// Exactly, all 20 digits: a seed written here and passed back replays the run (a double
    /// would round every integer above 2^53).
    JsonObject& add(const std::string& key, std::uint64_t value);
    JsonObject& add(const std::string& key, const std::string& value);
    JsonObject& add(const std::string& key, const char* value) { return add(key, std::string(value)); }
    JsonObject& add(const std::string& key, const std::vector<double>& values);
    JsonObject& add(const std::string& key, const std::vector<std::string>& values);
    JsonObject& add(const std::string& key, const JsonObject& object);
    /// Pretty-printed, two-space indent, keys in insertion order.
    std::string str(int indent = 0) const;
    /// The same as an HTML table: one row per key, nested objects as nested tables, strings
    /// without their quotes, everything escaped.
    std::string html() const;

private:
    std::vector<std::pair<std::string, std::string>> entries_;  // key, encoded value ("" = next nested)
    std::vector<JsonObject> nested_;
};

/// A JSON string literal with escapes.
std::string json_string(const std::string& text);

}  // namespace attn
