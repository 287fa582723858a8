// make_datasets: regenerates every dataset in datasets/ (see datasets/README.md).
//   build/tools/datasets/make_datasets --out datasets
#include <cstdio>
#include <exception>

#include "attn/support/cli.hpp"
#include "generate.hpp"

int main(int argc, char** argv) {
    std::string out = "datasets";
    attn::CommandLine cli("make_datasets: regenerate the shipped datasets bit for bit");
    int min_length = 5, max_length = 50;
    cli.option("--out", out, "folder that receives dates/, sequences/, toy_translation/, reviews/, interactions/");
    cli.option("--min-length", min_length, "shortest sequence for the sequence tasks").range(1, 1000);
    cli.option("--max-length", max_length, "longest sequence for the sequence tasks").range(1, 1000);
    if (const auto code = cli.parse(argc, argv)) return *code;
    if (min_length > max_length) {
        std::fprintf(stderr, "make_datasets: --min-length %d is above --max-length %d\n", min_length, max_length);
        return 2;
    }
    try {
        // The seeds are part of the datasets' definition: changing one changes the committed files.
        gen::dates(out + "/dates", 1);
        gen::sequences(out + "/sequences", 2, min_length, max_length);
        gen::translation(out + "/toy_translation", 3);
        gen::reviews(out + "/reviews", 4);
        gen::interactions(out + "/interactions", 5);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "make_datasets: %s\n", error.what());
        return 1;
    }
    return 0;
}
