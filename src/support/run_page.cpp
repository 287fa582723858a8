// One page per run (see attn/support/run_page.hpp).
#include "attn/support/run_page.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <vector>

#include "attn/support/io.hpp"
#include "attn/support/viz.hpp"

namespace attn {

namespace {

namespace fs = std::filesystem;

/// A relative path as a URL: '/' kept, every byte outside [A-Za-z0-9._~-] percent-encoded.
std::string url_of(const fs::path& relative) {
    static const char* const hex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : relative.generic_string()) {
        if (std::isalnum(c) || c == '/' || c == '.' || c == '_' || c == '~' || c == '-') {
            out += char(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

/// Loss curves first, then by name, so each group starts with how training went.
bool before(const fs::path& a, const fs::path& b) {
    const bool a_loss = a.filename() == "loss.svg", b_loss = b.filename() == "loss.svg";
    if (a_loss != b_loss) return a_loss;
    return a.generic_string() < b.generic_string();
}

}  // namespace

std::string run_page_html(const std::string& folder, const std::string& title, const JsonObject& metrics) {
    const fs::path root(folder);
    std::map<std::string, std::vector<fs::path>> pictures;  // sub-folder ("" = the run folder) -> its SVGs
    std::vector<fs::path> pages;                            // other HTML pages and JSON files, linked
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        const fs::path relative = fs::relative(it->path(), root);
        if (it->is_directory()) {
            const std::string name = it->path().filename().string();
            if (name == "checkpoint" || name == "best" || name.rfind(".staging", 0) == 0) it.disable_recursion_pending();
            continue;
        }
        const std::string extension = relative.extension().string();
        if (extension == ".svg") pictures[relative.parent_path().generic_string()].push_back(relative);
        if ((extension == ".html" && relative != "index.html") || extension == ".json") pages.push_back(relative);
    }
    std::sort(pages.begin(), pages.end());

    std::string html =
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><meta charset=\"utf-8\"/>\n<title>" + escape_xml(title) +
        "</title>\n<style>body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:1.5em;max-width:90em}"
        "table{border-collapse:collapse;margin:.3em 0}th,td{border:1px solid #ccc;padding:.15em .5em;text-align:left;"
        "vertical-align:top;font-size:90%}th{background:#f4f4f4;font-weight:normal}"
        ".pictures{display:flex;flex-wrap:wrap;gap:1em}.pictures figure{margin:0}img{max-width:100%;border:1px solid #eee}"
        "figcaption{font-size:85%;color:#555}</style></head>\n<body>\n<h1>" + escape_xml(title) + "</h1>\n";
    html += "<h2>Settings and results</h2>\n" + metrics.html() + "\n";
    for (auto& [group, files] : pictures) {
        std::sort(files.begin(), files.end(), before);
        html += "<h2>" + escape_xml(group.empty() ? "Pictures" : group + "/") + "</h2>\n<div class=\"pictures\">\n";
        for (const fs::path& file : files) {
            html += "<figure><a href=\"" + url_of(file) + "\"><img src=\"" + url_of(file) + "\" alt=\"" + escape_xml(file.generic_string()) +
                    "\"/></a><figcaption>" + escape_xml(file.filename().string()) + "</figcaption></figure>\n";
        }
        html += "</div>\n";
    }
    if (!pages.empty()) {
        html += "<h2>Other files</h2>\n<ul>\n";
        for (const fs::path& file : pages) html += "<li><a href=\"" + url_of(file) + "\">" + escape_xml(file.generic_string()) + "</a></li>\n";
        html += "</ul>\n";
    }
    return html + "</body></html>\n";
}

std::string write_run_page(const std::string& folder, const std::string& title, const JsonObject& metrics) {
    const std::string path = folder + "/index.html";
    write_file_atomically(path, run_page_html(folder, title, metrics));
    return path;
}

}  // namespace attn
