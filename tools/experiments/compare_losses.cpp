// compare_losses: the training curves of several runs in one plot (chapter 5's normalisation study).
//   compare_losses --svg curves.svg --title "..." "label=run/folder" "label=run/folder" ...
// Each run folder is one a training loop wrote (its checkpoint/ holds every step's loss); each
// run becomes one line: its training loss per step, smoothed as in the run's own loss.svg.
#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "attn/support/cli.hpp"
#include "attn/support/io.hpp"
#include "attn/support/viz.hpp"
#include "attn/train/loop.hpp"

int main(int argc, char** argv) {
    std::string svg = "losses.svg", title = "training loss per step (smoothed)";
    double top = 0;
    std::vector<std::string> specs;
    attn::CommandLine cli("compare_losses: the smoothed training-loss curves of several runs in one plot");
    cli.option("--svg", svg, "where to write the plot");
    cli.option("--title", title, "the plot's title");
    cli.option("--top", top, "clip losses above this value (0 = no clipping), so one diverging run does not flatten the rest").at_least(0);
    cli.positionals(specs, "label=run folder, for each run");
    if (const auto code = cli.parse(argc, argv)) return *code;
    try {
        if (specs.empty()) throw std::invalid_argument("give at least one label=run/folder");
        char clip_text[32];
        std::snprintf(clip_text, sizeof clip_text, "%g", top);
        std::vector<attn::Series> series;
        for (const std::string& spec : specs) {
            const std::size_t eq = spec.find('=');
            if (eq == std::string::npos) throw std::invalid_argument("'" + spec + "': expected label=run/folder");
            attn::Series s = attn::smoothed_step_loss(attn::read_training_report(spec.substr(eq + 1) + "/checkpoint"));
            s.name = spec.substr(0, eq);
            if (top > 0) {
                for (auto& point : s.points) point.second = std::min(point.second, top);
            }
            series.push_back(s);
        }
        attn::write_file_atomically(svg, attn::line_plot_svg(series, title, "epoch", top > 0 ? std::string("loss (clipped at ") + clip_text + ")" : "loss"));
        std::printf("wrote %s\n", svg.c_str());
    } catch (const std::exception& error) {
        std::fprintf(stderr, "compare_losses: %s\n", error.what());
        return 1;
    }
    return 0;
}
