// attn/support/cli.hpp — command lines for the chapters' executables.
//
// A thin front for CLI11 (Debian libcli11-dev): CLI11 is header-only and costs ~7 s to compile
// in every file that includes it, so it is compiled once, in src/cli.cpp, and chapters include
// only this header. Every option shows its default in --help.
//
//     CommandLine cli("attn chapter 0: ...");
//     cli.option("--seed", seed, "random seed");
//     cli.option("--epochs", epochs, "training epochs").at_least(1);
//     if (auto code = cli.parse(argc, argv)) return *code;   // --help, or a bad flag
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attn {

class CommandLine {
public:
    explicit CommandLine(const std::string& description);
    ~CommandLine();
    CommandLine(const CommandLine&) = delete;
    CommandLine& operator=(const CommandLine&) = delete;

    // (std::size_t and std::uint64_t are each one of the unsigned types below on every platform.)
    CommandLine& option(const std::string& name, int& value, const std::string& help);
    CommandLine& option(const std::string& name, long& value, const std::string& help);
    CommandLine& option(const std::string& name, unsigned long& value, const std::string& help);
    CommandLine& option(const std::string& name, unsigned long long& value, const std::string& help);
    CommandLine& option(const std::string& name, double& value, const std::string& help);
    CommandLine& option(const std::string& name, std::string& value, const std::string& help);
    /// A repeatable option: each occurrence adds its value, in order.
    CommandLine& option(const std::string& name, std::vector<std::string>& values, const std::string& help);
    /// Words that are not options, in order (e.g. file names).
    CommandLine& positionals(std::vector<std::string>& values, const std::string& help);
    /// A switch without a value: present means true.
    CommandLine& flag(const std::string& name, bool& value, const std::string& help);

    /// Restricts the option declared last to [lo, hi]; out-of-range values are refused with a message.
    CommandLine& range(double lo, double hi);
    /// Restricts the option declared last to values >= lo.
    CommandLine& at_least(double lo);

    /// Parses the command line. Returns nothing when the program should go on; otherwise the exit
    /// status to return from main: 0 after --help (the help was printed), non-zero after a bad
    /// flag or value (a one-line message naming it was printed to stderr).
    std::optional<int> parse(int argc, char** argv);

    /// Whether the option was given on the command line (after parse); false for unknown names.
    bool given(const std::string& name) const;

    /// The numeric options given on the command line, as typed ("--hidden 300000 --batch 8").
    std::string given_numbers() const;

    /// What main does with an exception: one line "<program>: <message>" on stderr (a model too big
    /// for memory also names the sizes given), and the exit status to return: 128 + the signal for
    /// a run stopped by SIGINT/SIGTERM (attn/support/signals.hpp), 1 otherwise.
    int fail(const std::string& program, const std::exception& error) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace attn
