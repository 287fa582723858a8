// Fuzz target: a checkpoint's manifest.tsv.
#include "attn/train/checkpoint.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return attn_fuzz::run(data, size, [](const std::string& text) {
        const attn::Manifest manifest = attn::parse_manifest(text, attn_fuzz::input_name);
        for (const attn::ManifestEntry& entry : manifest.entries) {
            if (entry.file.empty() || entry.file[0] == '/') std::abort();  // must stay inside the checkpoint
        }
    });
}
