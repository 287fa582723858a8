// attn::CommandLine: values parsed, defaults kept, bad input refused with a non-zero status.
#include <optional>
#include <vector>

#include "attn/support/cli.hpp"
#include "check.hpp"

using namespace attn;

namespace {

struct Args {
    std::vector<std::string> words;
    std::vector<char*> argv;
    explicit Args(std::vector<std::string> w) : words(std::move(w)) {
        for (std::string& word : words) argv.push_back(word.data());
    }
    int argc() const { return static_cast<int>(argv.size()); }
};

struct Options {
    std::size_t seed = 1;
    int epochs = 10;
    double lr = 0.5;
    std::string out = "out";
    bool quiet = false;
};

std::optional<int> parse(Options& o, std::vector<std::string> words) {
    words.insert(words.begin(), "program");
    Args args(words);
    CommandLine cli("test");
    cli.option("--seed", o.seed, "seed");
    cli.option("--epochs", o.epochs, "epochs").at_least(1);
    cli.option("--lr", o.lr, "learning rate").range(0, 10);
    cli.option("--out", o.out, "folder");
    cli.flag("--quiet", o.quiet, "less output");
    return cli.parse(args.argc(), args.argv.data());
}

}  // namespace

TEST_CASE("CommandLine parses values and keeps defaults") {
    Options o;
    CHECK_FALSE(parse(o, {"--seed", "7", "--lr", "0.25", "--quiet"}).has_value());
    CHECK(o.seed == 7);
    CHECK(o.lr == 0.25);
    CHECK(o.quiet);
    CHECK(o.epochs == 10);
    CHECK(o.out == "out");
}

TEST_CASE("CommandLine: --help exits 0, bad input exits non-zero") {
    Options o;
    CHECK(parse(o, {"--help"}) == std::optional<int>(0));
    for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
             {"--epochs", "0"},     // below the minimum
             {"--epochs", "2.5"},   // not an integer
             {"--lr", "abc"},       // not a number
             {"--lr", "11"},        // above the maximum
             {"--seed", "-3"},      // negative for an unsigned option
             {"--bogus"},           // unknown flag
             {"--out"},             // missing value
         }) {
        CAPTURE(bad[0]);
        const std::optional<int> code = parse(o, bad);
        REQUIRE(code.has_value());
        CHECK(*code != 0);
    }
    CHECK(o.seed == 1);  // a refused value does not leak into the variable
}
