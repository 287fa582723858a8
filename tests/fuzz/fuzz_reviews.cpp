// Fuzz target: the shipped reviews format (chapter 4's datasets/reviews/*.tsv).
#include "attn/data/shipped.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return attn_fuzz::run(data, size, [](const std::string& text) {
        for (const attn::Review& review : attn::parse_reviews(text, attn_fuzz::input_name)) {
            for (const auto& [s, w] : review.key_words) {
                if (s < 0 || std::size_t(s) >= review.sentences.size() || w < 0 ||
                    std::size_t(w) >= review.sentences[std::size_t(s)].size()) {
                    std::abort();  // must point inside the review
                }
            }
        }
    });
}
