// Fuzz target: the parallel TSV loader (chapters 1-3, 5 --task FILE), strict and skipping modes.
#include "attn/data/loaders.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return attn_fuzz::run(data, size, [](const std::string& text) {
        attn::LoadOptions skipping;
        skipping.skip_malformed = true;
        try {
            attn::parse_parallel_tsv(text, attn_fuzz::input_name, skipping);
        } catch (const std::runtime_error& error) {
            attn_fuzz::require_named(error);
        }
        attn::parse_parallel_tsv(text, attn_fuzz::input_name);
    });
}
