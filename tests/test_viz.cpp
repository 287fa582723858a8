// Pictures: structure of the SVG/HTML, escaping, terminal shades. (Looked at by eye too: the
// test writes samples to $ATTN_VIZ_SAMPLES when that variable names a folder.)
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "attn/support/io.hpp"
#include "attn/support/json.hpp"
#include "attn/support/run_page.hpp"
#include "attn/support/viz.hpp"
#include "check.hpp"

using namespace attn;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

void maybe_save(const std::string& name, const std::string& content) {
    if (const char* folder = std::getenv("ATTN_VIZ_SAMPLES")) write_file_atomically(std::string(folder) + "/" + name, content);
}

const Matrix weights{{0.9, 0.05, 0.05, 0}, {0.1, 0.1, 0.7, 0.1}, {0, 0.2, 0.3, 0.5}};
const std::vector<std::string> target{"le", "chat", "noir"}, source{"the", "black", "cat", "<eos>"};

}  // namespace

TEST_CASE("attention_svg: one cell per weight, labels on both axes, escaped, with a scale") {
    const std::string svg = attention_svg(weights, target, source, "the black cat -> le chat noir");
    maybe_save("heatmap.svg", svg);
    CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    CHECK(count(svg, "<title>") == 12);
    CHECK(svg.find("&lt;eos&gt;") != std::string::npos);
    CHECK(svg.find("<eos>") == std::string::npos);
    CHECK(svg.find(">chat</text>") != std::string::npos);
    CHECK(svg.find("fill=\"#ffffff\"") != std::string::npos);  // weight 0 is white
    CHECK(svg.find("chat / black: 0.100") != std::string::npos);  // cell tooltips carry the value
    CHECK_THROWS_WITH_AS(attention_svg(weights, {"a"}, source), "attention_svg: 3 rows for 1 row labels",
                         std::invalid_argument);
    // axis titles (by default: rows are the output, columns the source), and a subtitle
    CHECK(svg.find("font-style=\"italic\" fill=\"#444\">source</text>") != std::string::npos);
    CHECK(svg.find("font-style=\"italic\" fill=\"#444\">output</text>") != std::string::npos);
    HeatmapText text;
    text.title = "cross-attention, layer 1, head 0";
    text.subtitle = "model output: le chat <noir>";
    text.row_axis = "output (the token this position predicts)";
    text.column_axis = "decoder input";
    const std::string labelled = attention_svg(weights, target, source, text);
    CHECK(labelled.find(">cross-attention, layer 1, head 0</text>") != std::string::npos);
    CHECK(labelled.find(">model output: le chat &lt;noir&gt;</text>") != std::string::npos);
    CHECK(labelled.find(">output (the token this position predicts)</text>") != std::string::npos);
    CHECK(labelled.find(">decoder input</text>") != std::string::npos);
}

TEST_CASE("attention_terminal: shades from blank to full block") {
    const std::string text = attention_terminal(weights, target, source);
    maybe_save("heatmap.txt", text);
    INFO(text);
    CHECK(text.find("  le |██░░░░  |\n") != std::string::npos);  // 0.9 full, 0.05 light, 0 blank
    CHECK(text.find("chat |░░░░▓▓░░|\n") != std::string::npos);  // 0.1 light, 0.7 dark
    CHECK(text.find("noir |  ░░▒▒▓▓|\n") != std::string::npos);  // 0.2, 0.3, 0.5
}

TEST_CASE("line_plot_svg: one polyline per series, a legend, finite points only") {
    const std::string svg = line_plot_svg({{"train", {{1, 2.3}, {2, 1.1}, {3, 0.6}}}, {"valid", {{1, 2.5}, {2, NAN}, {3, 0.9}}}},
                                          "loss", "epoch", "cross-entropy");
    maybe_save("curve.svg", svg);
    CHECK(count(svg, "<polyline") == 2);
    CHECK(svg.find(">train</text>") != std::string::npos);
    CHECK(svg.find(">valid</text>") != std::string::npos);
    CHECK(svg.find("nan") == std::string::npos);
    CHECK(line_plot_svg({}, "empty", "x", "y").find("<svg") == 0);
    CHECK(count(svg, "<circle") == 5);  // markers by default, at finite points only
}

TEST_CASE("line_plot_svg: a dense series without markers, a dashed reference line") {
    Series steps{"per step", {{0.5, 2.0}, {1.0, 1.5}, {1.5, 1.2}}};
    steps.markers = false;
    steps.width = 1;
    Series floor{"floor", {{0, 0.8}, {1.5, 0.8}}};
    floor.markers = false;
    floor.dashed = true;
    const std::string svg = line_plot_svg({steps, floor}, "loss", "epoch", "loss");
    CHECK(count(svg, "<circle") == 0);
    CHECK(count(svg, "stroke-width=\"1\"") == 1);
    CHECK(count(svg, "stroke-dasharray") == 2);  // the line and its legend entry
}

TEST_CASE("JsonObject: numbers, strings, lists of numbers and of strings, nested objects, escaped") {
    JsonObject inner;
    inner.add("rmse", 0.25);
    JsonObject j;
    j.add("n", 3L).add("name", "a \"b\"").add("losses", std::vector<double>{1.5, 0.5})
        .add("pairs", std::vector<std::string>{"age x city", "tab\there"}).add("afm", inner);
    CHECK(j.str() == "{\n  \"n\": 3,\n  \"name\": \"a \\\"b\\\"\",\n  \"losses\": [1.5, 0.5],\n"
                     "  \"pairs\": [\"age x city\", \"tab\\there\"],\n  \"afm\": {\n    \"rmse\": 0.25\n  }\n}");
}

TEST_CASE("JsonObject: a 64-bit seed is written with every digit (a double would round it)") {
    JsonObject j;
    j.add("seed", std::uint64_t(18446744073709551615ULL)).add("near", std::uint64_t(9007199254740993ULL));
    CHECK(j.str() == "{\n  \"seed\": 18446744073709551615,\n  \"near\": 9007199254740993\n}");
}

TEST_CASE("highlight_html: sentences with bars, words with backgrounds, escaped") {
    const std::string html = highlight_html({{0.8, {{"great", 0.7}, {"<food>", 0.3}}}, {0.2, {{"the", 0.5}, {"menu", 0.5}}}},
                                            "review 12 (rating 5)");
    maybe_save("highlight.html", html);
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(count(html, "class=\"s\"") == 2);
    CHECK(count(html, "class=\"w\"") == 4);
    CHECK(html.find("&lt;food&gt;") != std::string::npos);
    CHECK(html.find("sentence weight 0.800") != std::string::npos);
    CHECK(html.find("word weight 0.700") != std::string::npos);
    // the strongest word (sqrt(0.8) * 0.7) is the darkest; "menu" in the weak sentence is lighter
    CHECK(html.find("background:#395989;color:white\">great") != std::string::npos);  // blue(0.8): the darkest
    // the bars are scaled per document: the heaviest sentence is full red, the other a quarter of it
    CHECK(html.find("sentence weight 0.800\" style=\"background:rgb(255,0,0)") != std::string::npos);
    CHECK(html.find("sentence weight 0.200\" style=\"background:rgb(255,191,191)") != std::string::npos);
    CHECK(html.find("darkest = 0.800") != std::string::npos);
    // a long document: every weight small, still one darkest sentence
    const std::string flat = highlight_html({{0.04, {{"a", 1.0}}}, {0.02, {{"b", 1.0}}}}, "long");
    CHECK(flat.find("sentence weight 0.040\" style=\"background:rgb(255,0,0)") != std::string::npos);
}

TEST_CASE("JsonObject::html: one row per key, nested tables, strings unquoted and escaped") {
    JsonObject inner;
    inner.add("bleu", 0.5);
    JsonObject j;
    j.add("task", "a<b \"c\"").add("epochs", 3L).add("test", inner);
    CHECK(j.html() == "<table>\n<tr><th>task</th><td>a&lt;b &quot;c&quot;</td></tr>\n<tr><th>epochs</th><td>3</td></tr>\n"
                      "<tr><th>test</th><td><table>\n<tr><th>bleu</th><td>0.5</td></tr>\n</table></td></tr>\n</table>");
}

TEST_CASE("run_page_html: every picture of the folder grouped by sub-folder, loss first; pages and JSON linked; checkpoints skipped") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("attn_test_run_page_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    for (const char* file : {"loss.svg", "a map.svg", "heatmaps/example_0.svg", "han/loss.svg", "highlight_0.html", "metrics.json",
                             "best/parameters.npy", "checkpoint/x.svg"}) {
        fs::create_directories((dir / file).parent_path());
        std::ofstream(dir / file) << "x";
    }
    JsonObject metrics;
    metrics.add("bleu", 0.25);
    std::ifstream in(write_run_page(dir.string(), "a <run>", metrics));
    const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(page.find("<title>a &lt;run&gt;</title>") != std::string::npos);
    CHECK(page.find("<th>bleu</th><td>0.25</td>") != std::string::npos);
    CHECK(count(page, "<img ") == 4);
    CHECK(page.find("src=\"a%20map.svg\"") != std::string::npos);  // percent-encoded
    CHECK(page.find("src=\"loss.svg\"") < page.find("src=\"a%20map.svg\""));  // the loss curve leads its group
    CHECK(page.find("src=\"heatmaps/example_0.svg\"") != std::string::npos);
    CHECK(page.find("src=\"han/loss.svg\"") != std::string::npos);
    CHECK(page.find("href=\"highlight_0.html\"") != std::string::npos);
    CHECK(page.find("href=\"metrics.json\"") != std::string::npos);
    CHECK(page.find("checkpoint") == std::string::npos);
    CHECK(page.find("href=\"index.html\"") == std::string::npos);  // not a link to itself
    CHECK(count(page, "<figure>") == count(page, "</figure>"));
    fs::remove_all(dir);
}
