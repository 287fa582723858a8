// Fuzz target: the libFM loader (chapter 7 --data FOLDER). A result must be well formed: one
// (index, value) pair per field for every label, indices inside the feature count, finite numbers.
#include <cmath>

#include "attn/data/libfm.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return attn_fuzz::run(data, size, [](const std::string& text) {
        const attn::LibfmData d = attn::parse_libfm(text, attn_fuzz::input_name);
        bool ok = d.size() > 0 && d.fields > 0 && d.features.size() == d.size() * d.fields && d.values.size() == d.features.size();
        for (int f : d.features) ok = ok && f >= 0 && f <= attn::libfm_max_index && std::size_t(f) < d.feature_count;
        for (double v : d.values) ok = ok && std::isfinite(v);
        for (double y : d.labels) ok = ok && std::isfinite(y);
        if (!ok) {
            std::fprintf(stderr, "parse_libfm returned a malformed result\n");
            std::abort();
        }
    });
}
