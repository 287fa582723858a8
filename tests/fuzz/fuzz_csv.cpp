// Fuzz target: the classification CSV loader (chapter 4 --data FILE), strict and skipping modes.
#include "attn/data/loaders.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return attn_fuzz::run(data, size, [](const std::string& text) {
        attn::LoadOptions skipping;
        skipping.skip_malformed = true;
        try {
            attn::parse_classification_csv(text, attn_fuzz::input_name, skipping);
        } catch (const std::runtime_error& error) {
            attn_fuzz::require_named(error);
        }
        const attn::LabelledTexts data = attn::parse_classification_csv(text, attn_fuzz::input_name);
        for (int label : data.labels) {
            if (label < 0 || std::size_t(label) >= data.label_names.size()) std::abort();  // a label outside its own class set
        }
    });
}
