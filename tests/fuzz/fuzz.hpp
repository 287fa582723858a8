// tests/fuzz/fuzz.hpp — what every fuzz target checks.
//
// A parser given arbitrary bytes may do exactly two things: return a result, or refuse with
// std::runtime_error / std::invalid_argument whose message starts with the file's name (so the
// user learns which file is wrong). Anything else — another exception, a crash, a hang, a
// sanitizer report, a message that does not name the file — is a bug, and the fuzzer reports it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace attn_fuzz {

/// The file name the targets pass to the parsers, which every error message must start with.
inline const std::string input_name = "fuzz-input.txt";

inline void require_named(const std::exception& error) {
    if (std::string(error.what()).rfind(input_name, 0) != 0) {
        std::fprintf(stderr, "refusal does not name the file: %s\n", error.what());
        std::abort();
    }
}

template <class Parse>
int run(const std::uint8_t* data, std::size_t size, Parse&& parse) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        parse(text);
    } catch (const std::runtime_error& error) {
        require_named(error);
    } catch (const std::invalid_argument& error) {
        require_named(error);
    }
    return 0;
}

}  // namespace attn_fuzz
