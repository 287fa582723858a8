// Runs a fuzz target over files, without libFuzzer: the test suite replays each target's corpus
// (tests/fuzz/corpus/<target>/) with the ordinary compiler, so the corpora and the targets cannot
// rot between fuzzing campaigns. A bug makes the target abort, which fails the test.
//   fuzz_<target> FILE_OR_FOLDER...
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void replay(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t count = 0;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path arg(argv[i]);
        if (!std::filesystem::exists(arg)) {
            std::fprintf(stderr, "%s: no such file or folder\n", argv[i]);
            return 2;
        }
        if (std::filesystem::is_directory(arg)) {
            std::vector<std::filesystem::path> files;  // sorted: the same order on every machine
            for (const auto& entry : std::filesystem::directory_iterator(arg)) files.push_back(entry.path());
            std::sort(files.begin(), files.end());
            for (const auto& file : files) replay(file), ++count;
        } else {
            replay(arg), ++count;
        }
    }
    if (count == 0) {
        std::fprintf(stderr, "no inputs replayed\n");
        return 2;
    }
    std::printf("%zu inputs replayed, no failure\n", count);
    return 0;
}
