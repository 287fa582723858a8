// attn/support/run_page.hpp — one page per run: index.html beside the run's outputs.
//
// A run folder holds metrics.json, loss.svg, heatmaps and (chapter 4) highlighted documents, each
// its own file. index.html shows them on one page — the settings and metrics as tables, every
// picture in the folder and its sub-folders, links to the other pages — with relative links only,
// so the folder can be moved, zipped or served as it is. The page is XHTML-clean (every tag
// closed, no named entities), so an XML parser can check it (tests/run_page.py).
#pragma once

#include <string>

#include "attn/support/json.hpp"

namespace attn {

/// The page's HTML for `folder` as it is now: `metrics` (settings and results) as tables, then the
/// pictures (*.svg) grouped by sub-folder, loss curves first, then links to the *.html and *.json
/// files. checkpoint/ and best/ hold no pictures and are skipped.
std::string run_page_html(const std::string& folder, const std::string& title, const JsonObject& metrics);

/// Writes run_page_html() to folder/index.html (atomically) and returns that path.
std::string write_run_page(const std::string& folder, const std::string& title, const JsonObject& metrics);

}  // namespace attn
