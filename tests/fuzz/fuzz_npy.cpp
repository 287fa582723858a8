// Fuzz target: the .npy reader (checkpoint parameters and optimiser state).
#include "attn/train/checkpoint.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return attn_fuzz::run(data, size, [size](const std::string& bytes) {
        const attn::Tensor array = attn::parse_npy(bytes, attn_fuzz::input_name);
        if (array.size() * sizeof(attn::real) > 2 * size) std::abort();  // the data must have been in the file
    });
}
