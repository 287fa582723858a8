// make_datasets: regenerates every dataset in datasets/ (see datasets/README.md).
//   build/tools/datasets/make_datasets --out datasets
#include <cstdio>
#include <exception>

#include "attn/cli.hpp"
#include "generate.hpp"

int main(int argc, char** argv) {
    std::string out = "datasets";
    attn::CommandLine cli("make_datasets: regenerate the shipped datasets bit for bit");
    cli.option("--out", out, "folder that receives dates/, sequences/, toy_translation/, reviews/");
    if (const auto code = cli.parse(argc, argv)) return *code;
    try {
        // The seeds are part of the datasets' definition: changing one changes the committed files.
        gen::dates(out + "/dates", 1);
        gen::sequences(out + "/sequences", 2);
        gen::translation(out + "/toy_translation", 3);
        gen::reviews(out + "/reviews", 4);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "make_datasets: %s\n", error.what());
        return 1;
    }
    return 0;
}
