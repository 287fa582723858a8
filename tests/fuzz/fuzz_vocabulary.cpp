// Fuzz target: a saved vocabulary (one token a line). What loads must encode and decode its tokens.
#include "attn/data/vocabulary.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return attn_fuzz::run(data, size, [](const std::string& text) {
        const attn::Vocabulary vocabulary = attn::Vocabulary::parse(text, attn_fuzz::input_name);
        for (std::size_t id = 0; id < vocabulary.size(); ++id) {
            if (vocabulary.id(vocabulary.token(int(id))) != int(id)) std::abort();  // ids must round-trip
        }
    });
}
