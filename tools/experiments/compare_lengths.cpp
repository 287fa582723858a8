// compare_lengths: the table and plot of the length experiment (chapter 2 README).
//   compare_lengths --svg plot.svg "label=run/buckets.tsv" "label=run/buckets.tsv" ...
// Each buckets.tsv is written by a seq2seq executable on a bucketed task: bucket, exact match,
// token accuracy. Prints a Markdown table and writes a line plot of exact match by source length.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "attn/support/cli.hpp"
#include "attn/support/io.hpp"
#include "attn/support/viz.hpp"

namespace {

struct Run {
    std::string label;
    std::vector<std::string> buckets;
    std::vector<double> exact, tokens;
};

Run read_run(const std::string& spec) {
    const std::size_t eq = spec.find('=');
    if (eq == std::string::npos) throw std::invalid_argument("'" + spec + "': expected label=path/to/buckets.tsv");
    Run run{spec.substr(0, eq), {}, {}, {}};
    const std::string path = spec.substr(eq + 1);
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open (did the run finish?)");
    std::string line;
    std::getline(in, line);  // header
    for (std::size_t number = 2; std::getline(in, line); ++number) {
        std::istringstream fields(line);
        std::string bucket;
        double exact, tokens;
        if (!(std::getline(fields, bucket, '\t') && fields >> exact >> tokens)) {
            throw std::runtime_error(path + ":" + std::to_string(number) + ": expected bucket<TAB>exact<TAB>token accuracy");
        }
        run.buckets.push_back(bucket);
        run.exact.push_back(exact);
        run.tokens.push_back(tokens);
    }
    return run;
}

/// "05-14" -> 9.5, the middle of the bucket.
double middle(const std::string& bucket) {
    const std::size_t dash = bucket.find('-');
    return (std::stod(bucket.substr(0, dash)) + std::stod(bucket.substr(dash + 1))) / 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::string svg = "accuracy_by_length.svg";
    std::vector<std::string> specs;
    attn::CommandLine cli("compare_lengths: table and plot of exact match by source length for several runs");
    cli.option("--svg", svg, "where to write the plot");
    cli.positionals(specs, "label=path/to/buckets.tsv for each run");
    if (const auto code = cli.parse(argc, argv)) return *code;
    try {
        std::vector<Run> runs;
        for (const std::string& s : specs) runs.push_back(read_run(s));
        if (runs.empty()) throw std::invalid_argument("give at least one label=path/to/buckets.tsv");
        std::printf("| source length |");
        for (const Run& r : runs) std::printf(" %s: exact match | token accuracy |", r.label.c_str());
        std::printf("\n|---|");
        for (std::size_t k = 0; k < runs.size(); ++k) std::printf("---|---|");
        std::printf("\n");
        std::vector<attn::Series> series;
        for (std::size_t b = 0; b < runs[0].buckets.size(); ++b) {
            std::printf("| %s |", runs[0].buckets[b].c_str());
            for (const Run& r : runs) {
                if (b < r.exact.size()) std::printf(" %.1f%% | %.1f%% |", 100 * r.exact[b], 100 * r.tokens[b]);
            }
            std::printf("\n");
        }
        for (const Run& r : runs) {
            attn::Series s{r.label, {}};
            for (std::size_t b = 0; b < r.buckets.size(); ++b) s.points.emplace_back(middle(r.buckets[b]), 100 * r.exact[b]);
            series.push_back(s);
        }
        attn::write_file_atomically(svg, attn::line_plot_svg(series, "exact match by source length", "source length (bucket middle)", "exact match (%)"));
        std::printf("\nwrote %s\n", svg.c_str());
    } catch (const std::exception& error) {
        std::fprintf(stderr, "compare_lengths: %s\n", error.what());
        return 1;
    }
    return 0;
}
