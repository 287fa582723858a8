#include "attn/support/json.hpp"

#include "attn/support/viz.hpp"

#include <cmath>
#include <cstdio>

namespace attn {

namespace {
std::string number(double x) {
    if (!std::isfinite(x)) return "null";
    char text[32];
    std::snprintf(text, sizeof text, "%.10g", x);
    return text;
}
}  // namespace

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char escape[8];
                    std::snprintf(escape, sizeof escape, "\\u%04x", c);
                    out += escape;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

JsonObject& JsonObject::add(const std::string& key, double value) {
    entries_.emplace_back(key, number(value));
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, long value) {
    entries_.emplace_back(key, std::to_string(value));
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, std::uint64_t value) {
    entries_.emplace_back(key, std::to_string(value));
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, const std::string& value) {
    entries_.emplace_back(key, json_string(value));
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, const std::vector<double>& values) {
    std::string list = "[";
    for (std::size_t i = 0; i < values.size(); ++i) list += (i ? ", " : "") + number(values[i]);
    entries_.emplace_back(key, list + "]");
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, const std::vector<std::string>& values) {
    std::string list = "[";
    for (std::size_t i = 0; i < values.size(); ++i) list += (i ? ", " : "") + json_string(values[i]);
    entries_.emplace_back(key, list + "]");
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, const JsonObject& object) {
    entries_.emplace_back(key, "");  // rendered in str(), where the indent is known
    nested_.push_back(object);
    return *this;
}

std::string JsonObject::str(int indent) const {
    const std::string pad(std::size_t(indent) + 2, ' ');
    std::string out = "{\n";
    std::size_t next_nested = 0;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        const std::string value = entries_[i].second.empty() ? nested_[next_nested++].str(indent + 2) : entries_[i].second;
        out += pad + json_string(entries_[i].first) + ": " + value + (i + 1 < entries_.size() ? ",\n" : "\n");
    }
    return out + std::string(std::size_t(indent), ' ') + "}";
}

std::string JsonObject::html() const {
    std::string out = "<table>\n";
    std::size_t next_nested = 0;
    for (const auto& [key, encoded] : entries_) {
        std::string value;
        if (encoded.empty()) {
            value = nested_[next_nested++].html();
        } else if (encoded.front() == '"') {  // a string: shown as it was given, without quotes or escapes
            std::string text;
            for (std::size_t i = 1; i + 1 < encoded.size(); ++i) {
                if (encoded[i] != '\\') {
                    text += encoded[i];
                    continue;
                }
                const char c = encoded[++i];
                if (c == 'u') {  // a control character: shown as a space
                    text += ' ';
                    i += 4;
                } else {
                    text += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
                }
            }
            value = escape_xml(text);
        } else {
            value = escape_xml(encoded);
        }
        out += "<tr><th>" + escape_xml(key) + "</th><td>" + value + "</td></tr>\n";
    }
    return out + "</table>";
}

}  // namespace attn
