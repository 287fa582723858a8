// SVG heatmaps and plots, terminal heatmaps, HTML highlighting (see attn/support/viz.hpp).
#include "attn/support/viz.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "attn/support/utf8.hpp"

namespace attn {

namespace {

/// White to dark blue: t in [0, 1] -> "#rrggbb".
std::string blue(double t) {
    t = std::clamp(t, 0.0, 1.0);
    const int r = int(std::lround(255 - t * (255 - 8))), g = int(std::lround(255 - t * (255 - 48))),
              b = int(std::lround(255 - t * (255 - 107)));
    char text[8];
    std::snprintf(text, sizeof text, "#%02x%02x%02x", r, g, b);
    return text;
}

std::string number(double x, const char* format = "%g") {
    char text[32];
    std::snprintf(text, sizeof text, format, x);
    return text;
}

void check_matrix(const char* who, const Matrix& m, std::size_t rows, std::size_t columns) {
    if (m.size() != rows) throw std::invalid_argument(std::string(who) + ": " + std::to_string(m.size()) + " rows for " + std::to_string(rows) + " row labels");
    for (const auto& row : m) {
        if (row.size() != columns) {
            throw std::invalid_argument(std::string(who) + ": a row has " + std::to_string(row.size()) + " values for " +
                                        std::to_string(columns) + " column labels");
        }
    }
}

std::size_t display_width(const std::string& s) { return split_characters(s).size(); }

/// A tick spacing of 1, 2 or 5 times a power of ten giving about five ticks over `range`.
double nice_step(double range) {
    const double raw = range / 5, power = std::pow(10.0, std::floor(std::log10(raw)));
    const double m = raw / power;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * power;
}

}  // namespace

std::string escape_xml(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string attention_svg(const Matrix& weights, const std::vector<std::string>& rows,
                          const std::vector<std::string>& columns, const std::string& title) {
    HeatmapText text;
    text.title = title;
    return attention_svg(weights, rows, columns, text);
}

std::string attention_svg(const Matrix& weights, const std::vector<std::string>& rows,
                          const std::vector<std::string>& columns, const HeatmapText& text,
                          const std::vector<RowMark>& marks) {
    check_matrix("attention_svg", weights, rows.size(), columns.size());
    if (!marks.empty() && marks.size() != rows.size()) {
        throw std::invalid_argument("attention_svg: " + std::to_string(marks.size()) + " marks for " + std::to_string(rows.size()) + " rows");
    }
    double top = 1;
    for (const auto& row : weights) for (double w : row) top = std::max(top, w);
    const int cell = 28, char_width = 7, axis_room = 22;  // axis_room: the axis titles' line
    std::size_t longest_row = 1, longest_column = 1;
    for (const auto& r : rows) longest_row = std::max(longest_row, display_width(r));
    for (const auto& c : columns) longest_column = std::max(longest_column, display_width(c));
    const int heading = (text.title.empty() ? 0 : 24) + (text.subtitle.empty() ? 0 : 18);
    const int left = axis_room + 16 + int(longest_row) * char_width;
    const int head = heading + 12 + axis_room + int(longest_column) * char_width;
    const int grid_w = cell * int(columns.size()), grid_h = cell * int(rows.size());
    const int title_w = 20 + int(std::max(display_width(text.title), display_width(text.subtitle))) * 9;  // bold 14px: 8-9 px a character (DejaVu Sans Bold is the wide one)
    const int width = std::max(left + grid_w + 90, title_w), height = std::max(head + grid_h + 16, head + 160);

    std::ostringstream svg;
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
        << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    if (!text.title.empty()) svg << "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">" << escape_xml(text.title) << "</text>\n";
    if (!text.subtitle.empty()) {
        svg << "<text x=\"10\" y=\"" << (text.title.empty() ? 20 : 38) << "\" fill=\"#444\">" << escape_xml(text.subtitle) << "</text>\n";
    }
    // axis titles: the columns' above them, the rows' written upwards to their left
    svg << "<text x=\"" << left + grid_w / 2 << "\" y=\"" << heading + 12 + 12 << "\" text-anchor=\"middle\" font-style=\"italic\" fill=\"#444\">"
        << escape_xml(text.column_axis) << "</text>\n";
    svg << "<text transform=\"translate(" << 16 << "," << head + grid_h / 2 << ") rotate(-90)\" text-anchor=\"middle\" "
        << "font-style=\"italic\" fill=\"#444\">" << escape_xml(text.row_axis) << "</text>\n";
    for (std::size_t j = 0; j < columns.size(); ++j) {  // attended tokens, written upwards above the grid
        const int x = left + int(j) * cell + cell / 2 + 4, y = head - 6;
        svg << "<text transform=\"translate(" << x << "," << y << ") rotate(-90)\">" << escape_xml(columns[j]) << "</text>\n";
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const int y = head + int(i) * cell;
        svg << "<text x=\"" << left - 6 << "\" y=\"" << y + cell / 2 + 4 << "\" text-anchor=\"end\">" << escape_xml(rows[i]) << "</text>\n";
        for (std::size_t j = 0; j < columns.size(); ++j) {
            const double w = weights[i][j];
            svg << "<rect x=\"" << left + int(j) * cell << "\" y=\"" << y << "\" width=\"" << cell << "\" height=\"" << cell
                << "\" fill=\"" << blue(w / top) << "\"><title>" << escape_xml(rows[i]) << " / " << escape_xml(columns[j])
                << ": " << number(w, "%.3f") << "</title></rect>\n";
        }
    }
    svg << "<rect x=\"" << left << "\" y=\"" << head << "\" width=\"" << grid_w << "\" height=\"" << grid_h
        << "\" fill=\"none\" stroke=\"#999\"/>\n";
    for (std::size_t i = 0; i < marks.size(); ++i) {  // windows and aligned positions
        const int y = head + int(i) * cell;
        if (marks[i].lo >= 0 && marks[i].hi >= marks[i].lo) {
            svg << "<rect x=\"" << left + marks[i].lo * cell + 1 << "\" y=\"" << y + 1 << "\" width=\""
                << (marks[i].hi - marks[i].lo + 1) * cell - 2 << "\" height=\"" << cell - 2
                << "\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\"/>\n";
        }
        svg << "<circle cx=\"" << left + (marks[i].position + 0.5) * cell << "\" cy=\"" << y + cell / 2
            << "\" r=\"3.5\" fill=\"#d62728\"><title>p_t = " << number(marks[i].position, "%.2f") << "</title></circle>\n";
    }
    // colour scale
    const int bar_x = left + grid_w + 24, bar_h = 120;
    for (int k = 0; k < 20; ++k) {
        svg << "<rect x=\"" << bar_x << "\" y=\"" << head + bar_h - (k + 1) * bar_h / 20 << "\" width=\"14\" height=\""
            << bar_h / 20 << "\" fill=\"" << blue((k + 0.5) / 20) << "\"/>\n";
    }
    svg << "<rect x=\"" << bar_x << "\" y=\"" << head << "\" width=\"14\" height=\"" << bar_h << "\" fill=\"none\" stroke=\"#999\"/>\n"
        << "<text x=\"" << bar_x + 18 << "\" y=\"" << head + 10 << "\">" << number(top) << "</text>\n"
        << "<text x=\"" << bar_x + 18 << "\" y=\"" << head + bar_h << "\">0</text>\n</svg>\n";
    return svg.str();
}

std::string attention_terminal(const Matrix& weights, const std::vector<std::string>& rows,
                               const std::vector<std::string>& columns) {
    check_matrix("attention_terminal", weights, rows.size(), columns.size());
    static const char* const shades[] = {" ", "░", "▒", "▓", "█"};
    std::size_t margin = 0, longest_column = 0;
    for (const auto& r : rows) margin = std::max(margin, display_width(r));
    for (const auto& c : columns) longest_column = std::max(longest_column, display_width(c));
    std::string out;
    // column labels written vertically, one character per line, two cells per token
    std::vector<std::vector<std::string>> column_chars;
    for (const auto& c : columns) column_chars.push_back(split_characters(c));
    for (std::size_t k = 0; k < longest_column; ++k) {
        out += std::string(margin + 2, ' ');
        for (const auto& chars : column_chars) out += (k < chars.size() ? chars[k] : " ") + std::string(" ");
        out += "\n";
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        out += std::string(margin - display_width(rows[i]), ' ') + rows[i] + " |";
        for (double w : weights[i]) {
            // blank only for (near) zero, so that a small weight still shows
            const int level = w < 0.025 ? 0 : std::min(4, 1 + int(std::clamp(w, 0.0, 1.0) * 4));
            const std::string shade = shades[level];
            out += shade + shade;
        }
        out += "|\n";
    }
    return out;
}

std::string line_plot_svg(const std::vector<Series>& series, const std::string& title, const std::string& x_label,
                          const std::string& y_label) {
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (const Series& s : series)
        for (const auto& [x, y] : s.points) {
            if (!std::isfinite(x) || !std::isfinite(y)) continue;
            x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
        }
    if (!(x0 <= x1)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;  // nothing to draw: empty axes
    if (x1 == x0) x1 = x0 + 1;
    if (y1 == y0) y1 = y0 + 1;
    const double pad = (y1 - y0) * 0.05;
    y0 -= pad, y1 += pad;
    const double x_step = nice_step(x1 - x0), y_step = nice_step(y1 - y0);
    // The legend runs along the bottom, below the x label, one entry after another, in as many
    // rows as it needs; each row makes the picture taller, never the plot smaller.
    const int W = 640, left = 70, right = 20, top = 40, plot_height = 304, row_height = 16;
    std::vector<std::pair<int, int>> legend;  // (x, row) of each entry
    int next_x = left, row = 0;
    for (const Series& s : series) {
        const int width = 50 + 7 * int(display_width(s.name));
        if (next_x > left && next_x + width > W - right) next_x = left, ++row;  // no room left on this row
        legend.emplace_back(next_x, row);
        next_x += width;
    }
    const int rows = legend.empty() ? 1 : legend.back().second + 1;
    const int bottom = 76 + row_height * (rows - 1), H = top + plot_height + bottom;
    const int pw = W - left - right, ph = H - top - bottom;
    auto sx = [&](double x) { return left + (x - x0) / (x1 - x0) * pw; };
    auto sy = [&](double y) { return top + (1 - (y - y0) / (y1 - y0)) * ph; };
    static const char* const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

    std::ostringstream svg;
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
        << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        << "<text x=\"" << W / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">" << escape_xml(title) << "</text>\n";
    for (double xv = std::ceil(x0 / x_step) * x_step; xv <= x1 + 1e-9 * x_step; xv += x_step) {  // ticks and grid
        svg << "<line x1=\"" << sx(xv) << "\" y1=\"" << top << "\" x2=\"" << sx(xv) << "\" y2=\"" << top + ph << "\" stroke=\"#eee\"/>\n"
            << "<text x=\"" << sx(xv) << "\" y=\"" << top + ph + 16 << "\" text-anchor=\"middle\">" << number(std::abs(xv) < 1e-12 * x_step ? 0 : xv, "%.6g") << "</text>\n";
    }
    for (double yv = std::ceil(y0 / y_step) * y_step; yv <= y1 + 1e-9 * y_step; yv += y_step) {
        svg << "<line x1=\"" << left << "\" y1=\"" << sy(yv) << "\" x2=\"" << left + pw << "\" y2=\"" << sy(yv) << "\" stroke=\"#eee\"/>\n"
            << "<text x=\"" << left - 6 << "\" y=\"" << sy(yv) + 4 << "\" text-anchor=\"end\">" << number(std::abs(yv) < 1e-12 * y_step ? 0 : yv, "%.6g") << "</text>\n";
    }
    svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << pw << "\" height=\"" << ph << "\" fill=\"none\" stroke=\"#444\"/>\n"
        << "<text x=\"" << left + pw / 2 << "\" y=\"" << top + ph + 36 << "\" text-anchor=\"middle\">" << escape_xml(x_label) << "</text>\n"
        << "<text transform=\"translate(16," << top + ph / 2 << ") rotate(-90)\" text-anchor=\"middle\">" << escape_xml(y_label) << "</text>\n";
    for (std::size_t k = 0; k < series.size(); ++k) {
        const char* colour = colours[k % 6];
        const std::string dash = series[k].dashed ? "\" stroke-dasharray=\"6,4" : "";
        svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"" << series[k].width << dash << "\" points=\"";
        for (const auto& [x, y] : series[k].points) {
            if (std::isfinite(x) && std::isfinite(y)) svg << sx(x) << "," << sy(y) << " ";
        }
        svg << "\"/>\n";
        for (const auto& [x, y] : series[k].points) {  // markers: sparse series stay readable
            if (series[k].markers && std::isfinite(x) && std::isfinite(y)) svg << "<circle cx=\"" << sx(x) << "\" cy=\"" << sy(y) << "\" r=\"3\" fill=\"" << colour << "\"/>\n";
        }
        const int legend_x = legend[k].first, legend_y = top + plot_height + 62 + row_height * legend[k].second;
        svg << "<line x1=\"" << legend_x << "\" y1=\"" << legend_y - 4 << "\" x2=\"" << legend_x + 24 << "\" y2=\"" << legend_y - 4
            << "\" stroke=\"" << colour << "\" stroke-width=\"2" << dash << "\"/>\n"
            << "<text x=\"" << legend_x + 30 << "\" y=\"" << legend_y << "\">" << escape_xml(series[k].name) << "</text>\n";
    }
    svg << "</svg>\n";
    return svg.str();
}

std::string highlight_html(const std::vector<WeightedSentence>& document, const std::string& title) {
    std::ostringstream html;
    html << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" << escape_xml(title) << "</title>\n"
         << "<style>body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:52em;margin:2em auto;line-height:1.9}"
            ".s{display:flex;align-items:baseline;margin:.2em 0}.bar{flex:0 0 1.2em;height:1.2em;margin-right:.6em;"
            "border:1px solid #bbb}.w{padding:.1em .15em;border-radius:3px}</style></head><body>\n"
         << "<h2>" << escape_xml(title) << "</h2>\n";
    // As Yang et al.'s figure: a word is shaded by sqrt(sentence weight) * word weight, so only
    // important words in important sentences stand out. Both shadings are scaled per document (the
    // heaviest sentence, the strongest word darkest): in a long document every weight is small,
    // and an absolute scale would leave the whole page white.
    double top = 0, top_sentence = 0;
    for (const WeightedSentence& sentence : document) {
        top_sentence = std::max(top_sentence, sentence.weight);
        for (const auto& word : sentence.words) top = std::max(top, std::sqrt(std::max(sentence.weight, 0.0)) * word.second);
    }
    html << "<p>Bar: sentence weight (red), darkest = " << number(top_sentence, "%.3f")
         << ". Background: word weight &times; &radic;sentence weight (blue), as in Yang et al. 2016, darkest = "
         << number(top, "%.3f") << ". Both are scaled to this document's largest value.</p>\n";
    for (const WeightedSentence& sentence : document) {
        const double s = top_sentence > 0 ? std::clamp(sentence.weight / top_sentence, 0.0, 1.0) : 0;
        const int red = int(std::lround(255 - s * 255));
        html << "<div class=\"s\"><span class=\"bar\" title=\"sentence weight " << number(sentence.weight, "%.3f")
             << "\" style=\"background:rgb(255," << red << "," << red << ")\"></span><span>";
        for (const auto& [word, weight] : sentence.words) {
            const double t = top > 0 ? std::sqrt(std::max(sentence.weight, 0.0)) * weight / top : 0;
            html << "<span class=\"w\" title=\"word weight " << number(weight, "%.3f") << "\" style=\"background:" << blue(t * 0.8)
                 << (t > 0.6 ? ";color:white" : "") << "\">" << escape_xml(word) << "</span> ";
        }
        html << "</span></div>\n";
    }
    html << "</body></html>\n";
    return html.str();
}

}  // namespace attn
