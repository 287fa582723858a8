// CLI11 behind attn::CommandLine, compiled once (see attn/support/cli.hpp for why).
#include "attn/support/cli.hpp"

#include "attn/memory.hpp"
#include "attn/support/signals.hpp"

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <type_traits>

namespace attn {

struct CommandLine::Impl {
    CLI::App app;
    CLI::Option* last = nullptr;
    struct Given { std::string name; CLI::Option* option; bool numeric; };
    std::vector<Given> given;  // every option added with add(), for given_numbers()
    explicit Impl(const std::string& description) : app(description) {}

    template <class T>
    void add(const std::string& name, T& value, const std::string& help) {
        last = app.add_option(name, value, help)->capture_default_str();
        if constexpr (std::is_unsigned_v<T>) {
            // CLI11 would wrap "-3" around to a huge unsigned value, and saturate one past the
            // largest (a seed of 2^64 would silently be 2^64 - 1): refuse both instead.
            last->check(CLI::Validator(
                [](std::string& input) -> std::string {
                    if (input.find('-') != std::string::npos) return input + " is negative: must be >= 0";
                    errno = 0;
                    char* end = nullptr;
                    const unsigned long long x = std::strtoull(input.c_str(), &end, 10);
                    if (errno == ERANGE || (end != input.c_str() && x > std::numeric_limits<T>::max())) {
                        return input + " is out of range: must be at most " + std::to_string(std::numeric_limits<T>::max());
                    }
                    return "";
                },
                ""));
        }
        given.push_back({name, last, std::is_arithmetic_v<T>});
    }
};

CommandLine::CommandLine(const std::string& description) : impl_(std::make_unique<Impl>(description)) {}
CommandLine::~CommandLine() = default;

CommandLine& CommandLine::option(const std::string& name, int& value, const std::string& help) {
    impl_->add(name, value, help);
    return *this;
}
CommandLine& CommandLine::option(const std::string& name, long& value, const std::string& help) {
    impl_->add(name, value, help);
    return *this;
}
CommandLine& CommandLine::option(const std::string& name, unsigned long& value, const std::string& help) {
    impl_->add(name, value, help);
    return *this;
}
CommandLine& CommandLine::option(const std::string& name, unsigned long long& value, const std::string& help) {
    impl_->add(name, value, help);
    return *this;
}
CommandLine& CommandLine::option(const std::string& name, double& value, const std::string& help) {
    impl_->add(name, value, help);
    return *this;
}
CommandLine& CommandLine::option(const std::string& name, std::string& value, const std::string& help) {
    impl_->add(name, value, help);
    return *this;
}

CommandLine& CommandLine::option(const std::string& name, std::vector<std::string>& values, const std::string& help) {
    impl_->last = impl_->app.add_option(name, values, help)->allow_extra_args(false)->take_all();
    return *this;
}

CommandLine& CommandLine::positionals(std::vector<std::string>& values, const std::string& help) {
    impl_->last = impl_->app.add_option("values", values, help);
    return *this;
}

CommandLine& CommandLine::flag(const std::string& name, bool& value, const std::string& help) {
    impl_->last = impl_->app.add_flag(name, value, help);
    return *this;
}

namespace {

std::string number(double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", x);
    return text;
}

/// Accepts numbers in [lo, hi]; refuses anything else with a message saying what was wanted.
CLI::Validator bounded(double lo, double hi, const std::string& description) {
    return CLI::Validator(
        [lo, hi, description](std::string& input) -> std::string {
            char* end = nullptr;
            const double x = std::strtod(input.c_str(), &end);
            if (input.empty() || end != input.c_str() + input.size()) return "'" + input + "' is not a number";
            if (!(x >= lo && x <= hi)) return input + " is out of range: must be " + description;
            return "";
        },
        description);
}

}  // namespace

CommandLine& CommandLine::range(double lo, double hi) {
    if (impl_->last != nullptr) impl_->last->check(bounded(lo, hi, "in [" + number(lo) + ", " + number(hi) + "]"));
    return *this;
}

CommandLine& CommandLine::at_least(double lo) {
    if (impl_->last != nullptr) {
        impl_->last->check(bounded(lo, std::numeric_limits<double>::infinity(), ">= " + number(lo)));
    }
    return *this;
}

bool CommandLine::given(const std::string& name) const {
    for (const Impl::Given& g : impl_->given) if (g.name == name) return g.option->count() > 0;
    return false;
}

std::string CommandLine::given_numbers() const {
    std::string text;
    for (const Impl::Given& g : impl_->given) {
        if (g.numeric && g.option->count() > 0) text += (text.empty() ? "" : " ") + g.name + " " + g.option->as<std::string>();
    }
    return text;
}

int CommandLine::fail(const std::string& program, const std::exception& error) const {
    std::string message = error.what();
    if (dynamic_cast<const OutOfMemory*>(&error) != nullptr) {
        const std::string sizes = given_numbers();
        message = "the model does not fit in memory" + (sizes.empty() ? std::string() : " with " + sizes) + ": " + message;
    }
    std::fprintf(stderr, "%s: %s\n", program.c_str(), message.c_str());
    if (const auto* stopped = dynamic_cast<const Interrupted*>(&error)) return 128 + stopped->signal;
    return 1;
}

std::optional<int> CommandLine::parse(int argc, char** argv) {
    try {
        impl_->app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::CallForHelp&) {
        std::fputs(impl_->app.help().c_str(), stdout);
        return 0;
    } catch (const CLI::ParseError& error) {
        // One line naming the problem, then where to look.
        std::fprintf(stderr, "%s: %s (see --help)\n", impl_->app.get_name().empty() ? argv[0] : impl_->app.get_name().c_str(), error.what());
        return error.get_exit_code() == 0 ? 2 : error.get_exit_code();
    }
}

}  // namespace attn
