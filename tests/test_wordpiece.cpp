// WordPiece: learning merges by hand on a small corpus, greedy longest-match encoding, [UNK],
// UTF-8 boundaries, the saved file and its malformed variants, and the vocabulary learned from the
// shipped Bible's English side.
#include <chrono>
#include <filesystem>

#include <unistd.h>

#include "attn/data/shipped.hpp"
#include "attn/data/wordpiece.hpp"
#include "attn/support/utf8.hpp"
#include "check.hpp"

using namespace attn;

namespace {

using Words = std::vector<std::string>;

/// The corpus of the Hugging Face course's WordPiece chapter: hug x10, pug x5, pun x12, bun x4, hugs x5.
std::vector<Words> hug_corpus() {
    std::vector<Words> corpus;
    const std::pair<const char*, int> counts[] = {{"hug", 10}, {"pug", 5}, {"pun", 12}, {"bun", 4}, {"hugs", 5}};
    for (const auto& [word, n] : counts) for (int i = 0; i < n; ++i) corpus.push_back({word});
    return corpus;
}

Words pieces_after_specials(const WordPiece& v) {
    Words out;
    for (std::size_t i = WordPiece::specials; i < v.size(); ++i) out.push_back(v.piece(int(i)));
    return out;
}

}  // namespace

TEST_CASE("WordPiece::learn: the alphabet by frequency, then the most frequent pair merged, again and again") {
    // Characters: ##u 36, ##g 20, p 17, ##n 16, h 15, ##s 5, b 4. Pairs, worked by hand:
    //   ##u ##g 20 -> ##ug;  ##u ##n 16 -> ##un;  h ##ug 15 -> hug;  p ##un 12 -> pun;
    //   then hug ##s 5 and p ##ug 5 tie: "hugs" < "pug" alphabetically;  then pug 5;  then b ##un 4 -> bun.
    WordPiece::Options options;
    options.vocabulary_size = 5 + 7 + 7;
    options.min_count = 1;
    const WordPiece v = WordPiece::learn(hug_corpus(), options);
    CHECK(pieces_after_specials(v) == Words{"##u", "##g", "p", "##n", "h", "##s", "b", "##ug", "##un", "hug", "pun", "hugs", "pug", "bun"});
    CHECK(v.piece(WordPiece::mask) == "[MASK]");
    options.vocabulary_size = 5 + 7 + 2;  // stops after two merges
    CHECK(pieces_after_specials(WordPiece::learn(hug_corpus(), options)) == Words{"##u", "##g", "p", "##n", "h", "##s", "b", "##ug", "##un"});
    options.vocabulary_size = 1000;  // more than the corpus can fill: stops when no pair is left
    CHECK(WordPiece::learn(hug_corpus(), options).size() == 5 + 7 + 7);
    options.vocabulary_size = 5;
    CHECK_THROWS_WITH_AS(WordPiece::learn(hug_corpus(), options), "WordPiece: a vocabulary of 5 pieces has no room beside the 5 specials",
                         std::invalid_argument);
}

TEST_CASE("WordPiece: greedy longest match, ## continuations, [UNK] for what cannot be covered, decode joins words") {
    WordPiece::Options options;
    options.vocabulary_size = 5 + 7 + 4;  // ##ug ##un hug pun
    options.min_count = 1;
    const WordPiece v = WordPiece::learn(hug_corpus(), options);
    CHECK(v.pieces("hugs") == Words{"hug", "##s"});   // the longest piece first, not h ##ug ##s
    CHECK(v.pieces("bugs") == Words{"b", "##ug", "##s"});
    CHECK(v.pieces("pun") == Words{"pun"});
    CHECK(v.pieces("mug") == Words{"[UNK]"});         // m never seen: the whole word
    CHECK(v.pieces("hum") == Words{"[UNK]"});         // ##m never seen
    CHECK(v.pieces("").empty());
    CHECK(v.pieces(std::string(101, 'h')) == Words{"[UNK]"});  // over max_word_characters
    const std::vector<int> ids = v.encode({"hugs", "mug", "bun", "pun"});
    CHECK(ids == std::vector<int>{v.id("hug"), v.id("##s"), WordPiece::unk, v.id("b"), v.id("##un"), v.id("pun")});
    CHECK(v.is_continuation(v.id("##s")));
    CHECK_FALSE(v.is_continuation(v.id("hug")));
    std::vector<int> with_specials{WordPiece::cls};
    with_specials.insert(with_specials.end(), ids.begin(), ids.end());
    with_specials.push_back(WordPiece::sep);
    with_specials.push_back(WordPiece::pad);
    CHECK(v.decode(with_specials) == Words{"hugs", "[UNK]", "bun", "pun"});
    CHECK(v.decode({v.id("##s"), v.id("hug")}) == Words{"##s", "hug"});  // a continuation with nothing to continue stays visible
    CHECK(v.id("nope") == WordPiece::unk);
    CHECK_THROWS_WITH_AS(v.piece(1000), "WordPiece: id 1000 is outside the vocabulary of 16", std::out_of_range);
}

TEST_CASE("WordPiece: characters are code points; a rare character makes its words [UNK] and shapes no piece") {
    std::vector<Words> corpus;
    for (int i = 0; i < 3; ++i) corpus.push_back({"été", "thé", "café"});
    corpus.push_back({"naïf"});  // ï once: below min_count 2
    WordPiece::Options options;
    options.vocabulary_size = 40;
    const WordPiece v = WordPiece::learn(corpus, options);
    for (const std::string w : {"été", "thé", "café", "étét"}) {
        CAPTURE(w);
        const Words p = v.pieces(w);
        std::string joined;
        for (const std::string& piece : p) {
            CHECK(utf8_problem(piece).empty());  // never half a character
            joined += piece.compare(0, 2, "##") == 0 ? piece.substr(2) : piece;
        }
        CHECK(joined == w);
    }
    CHECK(v.pieces("naïf") == Words{"[UNK]"});
    for (std::size_t i = 0; i < v.size(); ++i) CHECK(v.piece(int(i)).find("ï") == std::string::npos);
    CHECK(v.pieces(std::string("caf\xC3", 4)) == Words{"[UNK]"});  // invalid UTF-8
}

TEST_CASE("WordPiece: the saved file round-trips; malformed files name the line") {
    WordPiece::Options options;
    options.min_count = 1;
    const WordPiece v = WordPiece::learn(hug_corpus(), options);
    const WordPiece back = WordPiece::parse(v.text(), "v.txt");
    CHECK(back.text() == v.text());
    CHECK(back.pieces("hugs") == v.pieces("hugs"));
    const std::string path = (std::filesystem::temp_directory_path() / ("attn_wordpiece_" + std::to_string(::getpid()) + ".txt")).string();
    v.save(path);
    CHECK(WordPiece::load(path).text() == v.text());
    std::filesystem::remove(path);
    CHECK_THROWS_WITH_AS(WordPiece::parse("[PAD]\n[UNK]\n[SEP]\n", "v.txt"),
                         "v.txt:3: expected [CLS] (the specials come first, in order), found '[SEP]'", std::runtime_error);
    CHECK_THROWS_WITH_AS(WordPiece::parse("[PAD]\n[UNK]\n[CLS]\n", "v.txt"), "v.txt: 3 lines, but the 5 specials alone take 5",
                         std::runtime_error);
    const std::string specials = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
    CHECK_THROWS_WITH_AS(WordPiece::parse(specials + "a\n##b\na\n", "v.txt"), "v.txt:8: the piece 'a' is already on line 6",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(WordPiece::parse(specials + "a\n##\n", "v.txt"), "v.txt:7: an empty piece", std::runtime_error);
    CHECK_THROWS_WITH_AS(WordPiece::parse(specials + "\xff\n", "v.txt"), "v.txt:6: invalid UTF-8 at byte 1", std::runtime_error);
}

TEST_CASE("WordPiece on the shipped Bible's English side: every test word is covered, in few pieces") {
    const std::string root = std::string(ATTN_SOURCE_ROOT) + "/datasets/bible/";
    std::vector<Words> train;
    for (const AlignedPair& p : load_aligned_pairs(root + "train.tsv")) train.push_back(p.source);
    WordPiece::Options options;
    options.vocabulary_size = 4000;
    const auto start = std::chrono::steady_clock::now();
    const WordPiece v = WordPiece::learn(train, options);
    MESSAGE("learned 4,000 pieces from " << train.size() << " verses in "
                                          << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s");
    CHECK(v.size() == 4000);
    std::size_t words = 0, pieces = 0, unknown = 0, mismatched = 0;
    for (const AlignedPair& p : load_aligned_pairs(root + "test.tsv")) {
        const std::vector<int> ids = v.encode(p.source);
        words += p.source.size();
        pieces += ids.size();
        for (int id : ids) unknown += id == WordPiece::unk;
        if (std::count(ids.begin(), ids.end(), WordPiece::unk) == 0 && v.decode(ids) != p.source) ++mismatched;
    }
    CHECK(mismatched == 0);                            // decode(encode(words)) == words
    CHECK(double(unknown) / double(words) < 0.001);    // a 4,000-piece vocabulary covers unseen verses
    const double per_word = double(pieces) / double(words);
    MESSAGE(words << " test words in " << pieces << " pieces (" << per_word << " per word), " << unknown << " [UNK]");
    CHECK(per_word < 1.3);  // frequent words are one piece: measured 1.1x (see the message)
}
