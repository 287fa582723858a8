// attn::CommandLine: values parsed, defaults kept, bad input refused with a non-zero status.
#include <csignal>
#include <optional>
#include <vector>

#include "attn/memory.hpp"
#include "attn/seq2seq/options.hpp"
#include "attn/support/cli.hpp"
#include "attn/support/signals.hpp"
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

TEST_CASE("CommandLine::given: only what was typed, even when it equals the default") {
    Options o;
    Args args({"program", "--epochs", "10", "--lr", "0.25"});
    CommandLine cli("test");
    cli.option("--seed", o.seed, "seed");
    cli.option("--epochs", o.epochs, "epochs").at_least(1);
    cli.option("--lr", o.lr, "learning rate").range(0, 10);
    REQUIRE_FALSE(cli.parse(args.argc(), args.argv.data()).has_value());
    CHECK(cli.given("--epochs"));  // 10, the default, but typed
    CHECK(cli.given("--lr"));
    CHECK_FALSE(cli.given("--seed"));
    CHECK_FALSE(cli.given("--no-such-option"));
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
             {"--seed", "18446744073709551616"},  // 2^64: CLI11 alone would keep 2^64 - 1
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

TEST_CASE("CommandLine: the whole unsigned 64-bit range is a seed, exactly") {
    Options o;
    CHECK_FALSE(parse(o, {"--seed", "18446744073709551615"}).has_value());
    CHECK(o.seed == 18446744073709551615ULL);
    CHECK_FALSE(parse(o, {"--seed", "0"}).has_value());
    CHECK(o.seed == 0);
}

TEST_CASE("CommandLine::fail: one line, the sizes given for a model too big, 128 + the signal after one") {
    std::size_t hidden = 4, seed = 1;
    std::string out;
    std::vector<std::string> words{"program", "--hidden", "300000", "--out", "x", "--seed", "2"};
    Args args(words);
    CommandLine cli("test");
    cli.option("--hidden", hidden, "width");
    cli.option("--seed", seed, "seed");
    cli.option("--out", out, "folder");
    REQUIRE_FALSE(cli.parse(args.argc(), args.argv.data()).has_value());
    CHECK(cli.given_numbers() == "--hidden 300000 --seed 2");  // as typed, numbers only, in declaration order
    CHECK(cli.fail("program", OutOfMemory("a (300000, 900000) array needs 4.3 TB")) == 1);
    CHECK(cli.fail("program", std::runtime_error("x.tsv: no such file")) == 1);
    CHECK(cli.fail("program", Interrupted(SIGTERM, "stopped by SIGTERM")) == 143);
    CHECK(cli.fail("program", Interrupted(SIGINT, "stopped by SIGINT")) == 130);
}

TEST_CASE("a chapter's recipe sets the epochs of a real task, unless --epochs is given") {
    const auto epochs_after = [](std::vector<std::string> words) {
        words.insert(words.begin(), "program");
        Args args(words);
        Seq2SeqOptions options;
        options.chapter = "test";
        options.train.epochs = 3;
        options.recipe_epochs = {{"tatoeba", 8}, {"bible", 6}};
        CommandLine cli("test");
        add_seq2seq_options(cli, options);
        REQUIRE_FALSE(cli.parse(args.argc(), args.argv.data()).has_value());
        apply_seq2seq_options(options, cli);
        return options.train.epochs;
    };
    CHECK(epochs_after({"--task", "tatoeba"}) == 8);
    CHECK(epochs_after({"--task", "bible"}) == 6);
    CHECK(epochs_after({"--task", "bible", "--epochs", "3"}) == 3);  // typed, though equal to the default
    CHECK(epochs_after({"--task", "toy"}) == 3);                     // no recipe: the chapter's default
}
