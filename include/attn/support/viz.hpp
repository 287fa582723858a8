// attn/support/viz.hpp — pictures of what attention does.
//
// Everything returns text (SVG, HTML, or a terminal rendering); write it with
// attn::write_file_atomically. SVG and HTML are self-contained (no scripts, no external files)
// and open in any browser.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace attn {

using Matrix = std::vector<std::vector<double>>;  // rows of equal length

/// The words around a heatmap. Every attention map in attn has one row per *output* token (the
/// token being produced when the weights were computed) and one column per token attended to.
struct HeatmapText {
    std::string title;                   // the first line
    std::string subtitle;                // a second line, e.g. the model's output sentence ("" = none)
    std::string row_axis = "output";     // what the rows are, written beside them
    std::string column_axis = "source";  // what the columns are, written above them
};

/// Per-row marks drawn over a heatmap: a position (e.g. local attention's p_t, as a red dot) and
/// a window [lo, hi] of columns (a red outline). Negative lo/hi: no window.
struct RowMark {
    double position;
    double lo = -1, hi = -1;
};

/// A heatmap of attention weights: one row per output token (top to bottom), one column per
/// attended token (left to right, labels written vertically), white (0) to dark blue (max), with
/// the axes' titles and a colour scale on the right. Values are clamped to [0, max(1, largest value)].
std::string attention_svg(const Matrix& weights, const std::vector<std::string>& row_labels,
                          const std::vector<std::string>& column_labels, const HeatmapText& text,
                          const std::vector<RowMark>& marks = {});
/// The same with a title only, and the default axis titles (output, source).
std::string attention_svg(const Matrix& weights, const std::vector<std::string>& row_labels,
                          const std::vector<std::string>& column_labels, const std::string& title = "");

/// The same for a terminal: one Unicode shade per cell, labels in the margins. Levels: blank below
/// 0.025, then ░ up to 0.25, ▒ to 0.5, ▓ to 0.75, █ above.
std::string attention_terminal(const Matrix& weights, const std::vector<std::string>& row_labels,
                               const std::vector<std::string>& column_labels);

struct Series {
    std::string name;
    std::vector<std::pair<double, double>> points;  // (x, y)
    bool markers = true;   // a dot at every point (sparse series); off for dense ones
    bool dashed = false;   // a reference line rather than a measurement
    double width = 2;      // stroke width
};

/// A line plot of one or more series (loss curves, metrics per epoch) with axes, ticks and a legend.
std::string line_plot_svg(const std::vector<Series>& series, const std::string& title, const std::string& x_label,
                          const std::string& y_label);

/// A document shaded like Yang et al. 2016's figure: each sentence has a bar whose intensity is the
/// sentence weight, and each word a background whose intensity is sqrt(sentence weight) x word
/// weight (the paper's normalisation: only important words in important sentences stand out).
struct WeightedSentence {
    double weight;
    std::vector<std::pair<std::string, double>> words;  // (word, weight)
};
std::string highlight_html(const std::vector<WeightedSentence>& document, const std::string& title);

/// Escapes &, <, >, " and ' for XML/HTML text and attributes.
std::string escape_xml(const std::string& text);

}  // namespace attn
