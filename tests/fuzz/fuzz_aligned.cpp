// Fuzz target: the shipped aligned-pairs format (datasets/toy_translation/*.tsv, gold alignments).
#include "attn/data/shipped.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return attn_fuzz::run(data, size, [](const std::string& text) {
        for (const attn::AlignedPair& pair : attn::parse_aligned_pairs(text, attn_fuzz::input_name)) {
            for (const auto& [s, t] : pair.links) {
                if (s < 0 || t < 0 || std::size_t(s) >= pair.source.size() || std::size_t(t) >= pair.target.size()) std::abort();
            }
        }
    });
}
