// Fuzz target: a saved WordPiece vocabulary (one piece a line, the five specials first). What loads
// must map every id back to itself, and encode each word-initial piece as that one piece (the
// longest match of a whole word that is a piece is the word).
#include "attn/data/wordpiece.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return attn_fuzz::run(data, size, [](const std::string& text) {
        const attn::WordPiece vocabulary = attn::WordPiece::parse(text, attn_fuzz::input_name);
        for (std::size_t id = 0; id < vocabulary.size(); ++id) {
            const std::string& piece = vocabulary.piece(int(id));
            if (vocabulary.id(piece) != int(id)) std::abort();  // ids must round-trip
            if (id >= attn::WordPiece::specials && !vocabulary.is_continuation(int(id)) && piece.compare(0, 2, "##") != 0 &&
                piece.size() <= 100 && vocabulary.pieces(piece) != std::vector<std::string>{piece}) {
                std::abort();
            }
        }
    });
}
