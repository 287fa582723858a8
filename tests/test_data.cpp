// Text, vocabulary, batching and the file loaders, including malformed input.
#include <cstdio>
#include <set>
#include <regex>
#include <map>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "attn/data/batching.hpp"
#include "attn/data/libfm.hpp"
#include "attn/data/lines.hpp"
#include "attn/data/loaders.hpp"
#include "attn/data/shipped.hpp"
#include "attn/data/text.hpp"
#include "attn/data/vocabulary.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_values;

namespace {

/// A fresh temp folder per test run.
std::string temp_path(const std::string& name) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("attn_test_data_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return (dir / name).string();
}

std::string write(const std::string& name, const std::string& content) {
    const std::string path = temp_path(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

}  // namespace

TEST_CASE("UTF-8: characters are code points; invalid bytes are reported with their position") {
    CHECK(split_characters("été") == std::vector<std::string>{"é", "t", "é"});
    CHECK(split_characters("a€😀") == std::vector<std::string>{"a", "€", "😀"});
    CHECK(utf8_problem("ok é") == "");
    CHECK(utf8_problem("ab\xff") == "invalid UTF-8 at byte 3");
    CHECK(utf8_problem("\xc3") == "invalid UTF-8 at byte 1");          // truncated
    CHECK(utf8_problem("\xc0\xaf") == "invalid UTF-8 at byte 1");      // overlong
    CHECK(utf8_problem("\xed\xa0\x80") == "invalid UTF-8 at byte 1");  // surrogate
    CHECK_THROWS_WITH_AS(split_characters("x\x80"), "invalid UTF-8 at byte 2", std::invalid_argument);
}

TEST_CASE("word tokeniser: punctuation apart, lower-casing, accents kept") {
    CHECK(split_words("Go.") == std::vector<std::string>{"go", "."});
    CHECK(split_words("Va !") == std::vector<std::string>{"va", "!"});
    CHECK(split_words("  Je n'aime PAS   l'été, non?") ==
          std::vector<std::string>{"je", "n'aime", "pas", "l'été", ",", "non", "?"});
    CHECK(split_words("Élan", false) == std::vector<std::string>{"Élan"});
    CHECK(split_words("Vraiment\xe2\x80\xaf? Oui\xc2\xa0!") == std::vector<std::string>{"vraiment", "?", "oui", "!"});
    CHECK(join({"a", "b", "c"}) == "a b c");
    // Unicode: capitals lower-cased in the Latin, Greek and Cyrillic alphabets
    CHECK(split_words("Êtes-vous prêts ? ÇA VA, MAÑANA, ŒUVRE") ==
          std::vector<std::string>{"êtes-vous", "prêts", "?", "ça", "va", ",", "mañana", ",", "œuvre"});
    // Spanish marks, guillemets, typographic quotes and dashes stand alone; curly apostrophes become '
    CHECK(split_words("¿Dónde está? ¡Aquí!") == std::vector<std::string>{"¿", "dónde", "está", "?", "¡", "aquí", "!"});
    CHECK(split_words("« Bonjour » — l’été, l‘hiver “ok”") ==
          std::vector<std::string>{"«", "bonjour", "»", "—", "l'été", ",", "l'hiver", "“", "ok", "”"});
    CHECK(split_words("Wait… no") == std::vector<std::string>{"wait", ".", ".", ".", "no"});
    CHECK(split_words("ÊTES", false) == std::vector<std::string>{"ÊTES"});  // lower = false keeps case
}

TEST_CASE("lower-casing: one-to-one mappings of the Latin, Greek and Cyrillic capitals, nothing else touched") {
    CHECK(to_lower("ÀÉÎÕÜÇÑÞ ÆØ") == "àéîõüçñþ æø");
    CHECK(to_lower("×÷ß") == "×÷ß");  // the multiplication sign is not a letter; ß has no single capital here
    CHECK(to_lower("ĀĂĄĆČĎĐĒĚĞĢĪĮĶĹĻĽŁŃŅŇŊŌŐŒŔŘŚŞŠŢŤŦŪŮŰŲŴŶŸŹŻŽ") == "āăąćčďđēěğģīįķĺļľłńņňŋōőœŕřśşšţťŧūůűųŵŷÿźżž");
    CHECK(to_lower("ıĸŉſ") == "ıĸŉſ");  // already lower case
    CHECK(to_lower("İ") == "İ");        // its lower case is two code points: left alone
    CHECK(to_lower("ΑΒΓΔ ΆΈΉΊΌΎΏ ΣΩ") == "αβγδ άέήίόύώ σω");
    CHECK(to_lower("ДОБРЫЙ ВЕЧЕР ЁЖ") == "добрый вечер ёж");
    CHECK(to_lower("abc 123 日本") == "abc 123 日本");
    CHECK(encode_utf8(0x1F600) == "\xf0\x9f\x98\x80");
    CHECK(decode_utf8("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80") == std::vector<char32_t>{U'a', 0xE9, 0x20AC, 0x1F600});
    CHECK_THROWS_WITH_AS(to_lower("x\x80"), "invalid UTF-8 at byte 2", std::invalid_argument);
}

TEST_CASE("vocabulary: specials at fixed ids, frequency order, min count, encode/decode") {
    const Vocabulary v = Vocabulary::build({{"b", "a", "c", "a"}, {"b", "a", "d"}}, 2);
    CHECK(v.size() == 6);
    CHECK(v.token(Vocabulary::pad) == "<pad>");
    CHECK(v.token(Vocabulary::bos) == "<bos>");
    CHECK(Vocabulary::pad != Vocabulary::bos);
    CHECK(v.id("a") == 4);  // 3 times
    CHECK(v.id("b") == 5);  // 2 times
    CHECK(v.id("c") == Vocabulary::unk);  // once: below min_count
    CHECK(v.encode({"a", "zzz"}, true, true) == std::vector<int>{2, 4, 1, 3});
    CHECK(v.decode({2, 4, 5, 3, 4}) == std::vector<std::string>{"a", "b"});  // stops at <eos>
    CHECK(v.decode({0, 4}, false) == std::vector<std::string>{"<pad>", "a"});
    CHECK_THROWS_WITH_AS(v.token(6), "Vocabulary: id 6 is outside a vocabulary of 6", std::invalid_argument);
    CHECK(Vocabulary::build({{"x", "y", "z"}}, 1, 5).size() == 5);  // max_size includes the specials
}

TEST_CASE("vocabulary: save and load round trip; malformed files name the line") {
    const Vocabulary v = Vocabulary::build({{"é", "t", "é", " "}});
    const std::string path = temp_path("vocab.txt");
    v.save(path);
    const Vocabulary back = Vocabulary::load(path);
    CHECK(back.size() == v.size());
    for (int id = 0; id < int(v.size()); ++id) CHECK(back.token(id) == v.token(id));

    CHECK_THROWS_WITH_AS(Vocabulary::load(write("bad1.txt", "<pad>\n<bos>\n")),
                         (temp_path("bad1.txt") + ":2: expected the special token <unk>, found '<bos>'").c_str(),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(Vocabulary::load(write("bad2.txt", "<pad>\n<unk>\n<bos>\n<eos>\na\na\n")),
                         (temp_path("bad2.txt") + ":6: duplicate token 'a'").c_str(), std::runtime_error);
    CHECK_THROWS_WITH_AS(Vocabulary::load(write("bad3.txt", "<pad>\n<unk>\n<bos>\n<eos>\n\xff\n")),
                         (temp_path("bad3.txt") + ":5: invalid UTF-8 at byte 1").c_str(), std::runtime_error);
    CHECK_THROWS_WITH_AS(Vocabulary::load(temp_path("missing.txt")),
                         (temp_path("missing.txt") + ": no such file").c_str(), std::runtime_error);
}

TEST_CASE("pad_batch: ids, lengths and the padding mask") {
    const PaddedBatch b = pad_batch({{5, 6, 7}, {8}, {}}, 0);
    CHECK(b.ids.shape == Shape{3, 3});
    CHECK(b.ids.values == std::vector<int>{5, 6, 7, 8, 0, 0, 0, 0, 0});
    CHECK(b.lengths == std::vector<int>{3, 1, 0});
    check_values(b.mask, {0, 0, 0, 0, 1, 1, 1, 1, 1});
}

TEST_CASE("make_batches: bucketing groups similar lengths; shuffling is seeded") {
    const std::vector<std::size_t> lengths{5, 1, 9, 2, 8, 1, 5};
    const auto plain = make_batches(lengths, 3, false, nullptr);
    CHECK(plain == std::vector<std::vector<std::size_t>>{{0, 1, 2}, {3, 4, 5}, {6}});
    const auto buckets = make_batches(lengths, 3, true, nullptr);
    CHECK(buckets == std::vector<std::vector<std::size_t>>{{1, 5, 3}, {0, 6, 4}, {2}});
    Rng r1(3), r2(3), r3(4);
    const auto a = make_batches(lengths, 3, true, &r1);
    CHECK(a == make_batches(lengths, 3, true, &r2));
    std::vector<std::size_t> all;
    for (const auto& batch : a) all.insert(all.end(), batch.begin(), batch.end());
    std::sort(all.begin(), all.end());
    CHECK(all == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6});
    Rng s1(9), s2(9);
    CHECK(shuffled_indices(100, s1) == shuffled_indices(100, s2));
    Rng s3(10);
    CHECK(shuffled_indices(100, s1) != shuffled_indices(100, s3));
}

TEST_CASE("parallel TSV: attribution column, CRLF, blank lines; errors name file and line") {
    const std::string path = write("pairs.tsv", "Go.\tVa !\tCC-BY 2.0 (France)\r\n\r\nHi.\tSalut.\r\n");
    LoadReport report;
    const std::vector<SentencePair> pairs = load_parallel_tsv(path, {}, &report);
    REQUIRE(pairs.size() == 2);
    CHECK(pairs[0].source == "Go.");
    CHECK(pairs[0].target == "Va !");
    CHECK(pairs[1].target == "Salut.");
    CHECK(report.lines == 2);

    const std::string bad = write("bad.tsv", "a\tb\nno tab here\nc\t\xff\n");
    CHECK_THROWS_WITH_AS(load_parallel_tsv(bad), (bad + ":2: expected at least 2 tab-separated columns (source, target), found 1").c_str(),
                         std::runtime_error);
    LoadReport skipped;
    CHECK(load_parallel_tsv(bad, {true, 0}, &skipped).size() == 1);
    CHECK(skipped.skipped == 2);
    CHECK_THROWS_WITH_AS(load_parallel_tsv(write("empty.tsv", "")),
                         (temp_path("empty.tsv") + ": no sentence pairs found (expected source<TAB>target lines)").c_str(),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(load_parallel_tsv(temp_path("nope.tsv")), (temp_path("nope.tsv") + ": no such file").c_str(),
                         std::runtime_error);
    const std::string dir = temp_path("a_folder");
    std::filesystem::create_directories(dir);
    CHECK_THROWS_WITH_AS(load_parallel_tsv(dir), (dir + ": is a directory, not a file").c_str(), std::runtime_error);
}

TEST_CASE("lines: \\n, \\r\\n and \\r line ends, a UTF-8 byte-order mark skipped; NUL bytes and UTF-16 refused") {
    auto lines_of = [](const std::string& text) {
        Lines lines(text, "f.txt");
        std::vector<std::string> out;
        for (std::string line; lines.next(line);) out.push_back(line);
        return out;
    };
    const std::vector<std::string> abc{"a", "b", "", "c"};
    CHECK(lines_of("a\nb\n\nc\n") == abc);
    CHECK(lines_of("a\r\nb\r\n\r\nc") == abc);
    CHECK(lines_of("a\rb\r\rc\r") == abc);                        // old Mac / Excel line ends
    CHECK(lines_of("\xEF\xBB\xBF" "a\nb\r\n\rc") == abc);            // byte-order mark, mixed ends
    CHECK(lines_of("x\xEF\xBB\xBFy") == std::vector<std::string>{"x\xEF\xBB\xBFy"});  // only at the start
    const std::string with_nul("ok\rok\nbad\0byte\n", 15);
    Lines third(with_nul, "f.txt");
    std::string line;
    CHECK(third.next(line));
    CHECK(third.next(line));
    CHECK_THROWS_WITH_AS(third.next(line), "f.txt:3: a NUL byte at byte 4 (a binary or UTF-16 file? save it as UTF-8 text)", std::runtime_error);
    const std::string utf16("\xFF\xFEh\0i\0", 6);
    CHECK_THROWS_WITH_AS(Lines(utf16, "u.tsv"), "u.tsv: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(lines_of(std::string("h\0i\0\n\0", 7)), "f.txt:1: a NUL byte at byte 2 (a binary or UTF-16 file? save it as UTF-8 text)",
                         std::runtime_error);
}

TEST_CASE("every loader reads a byte-order mark and CR-only line ends as the plain file") {
    const std::vector<SentencePair> tsv = load_parallel_tsv(write("bom.tsv", "\xEF\xBB\xBF" "Go.\tVa !\rHi.\tSalut.\r"));
    REQUIRE(tsv.size() == 2);
    CHECK(tsv[0].source == "Go.");  // no byte-order mark glued to the first word
    CHECK(tsv[1].target == "Salut.");
    const LabelledTexts csv = load_classification_csv(write("bom.csv", "\xEF\xBB\xBF" "label,text\r1,good\r2,bad\r"));
    CHECK(csv.texts == std::vector<std::string>{"good", "bad"});  // the header is still recognised
    CHECK(csv.label_names == std::vector<std::string>{"1", "2"});
    const Vocabulary v = Vocabulary::load(write("bom_vocab.txt", "\xEF\xBB\xBF<pad>\r\n<unk>\r\n<bos>\r\n<eos>\r\nword\r\n"));
    CHECK(v.id("word") == 4);
}

TEST_CASE("CSV records: quotes, doubled quotes, commas inside quotes") {
    CHECK(parse_csv_record("a,b,c") == std::vector<std::string>{"a", "b", "c"});
    CHECK(parse_csv_record("\"1\",\"a, b\",\"say \"\"hi\"\"\"") == std::vector<std::string>{"1", "a, b", "say \"hi\""});
    CHECK(parse_csv_record("x,") == std::vector<std::string>{"x", ""});
    CHECK_THROWS_WITH_AS(parse_csv_record("\"open"), "a quoted field is not closed", std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_csv_record("\"a\"b,c"), "unexpected character 'b' after a closing quote in field 1",
                         std::invalid_argument);
}

TEST_CASE("classification CSV: Zhang et al. format and label,text with a header") {
    const std::string zhang = write("zhang.csv",
                                    "\"3\",\"Title one\",\"Text with \"\"quotes\"\", commas\\nand a newline escape\"\n"
                                    "\"1\",\"Two\",\"spans\ntwo lines\"\n"
                                    "\"10\",\"Three\",\"x\"\n");
    const LabelledTexts z = load_classification_csv(zhang);
    REQUIRE(z.texts.size() == 3);
    CHECK(z.label_names == std::vector<std::string>{"1", "3", "10"});  // numeric order
    CHECK(z.labels == std::vector<int>{1, 0, 2});
    CHECK(z.texts[0] == "Title one. Text with \"quotes\", commas and a newline escape");
    CHECK(z.texts[1] == "Two. spans\ntwo lines");

    const std::string plain = write("plain.csv", "category,text\r\nSports,a match. a goal.\r\nPolitics,a vote.\r\n");
    const LabelledTexts p = load_classification_csv(plain);
    CHECK(p.label_names == std::vector<std::string>{"Politics", "Sports"});
    CHECK(p.labels == std::vector<int>{1, 0});
    CHECK(p.texts[0] == "a match. a goal.");

    const std::string ragged = write("ragged.csv", "1,ok\n2,too,many,columns\n");
    CHECK_THROWS_WITH_AS(load_classification_csv(ragged), (ragged + ":2: expected 2 columns (label,text), found 4").c_str(),
                         std::runtime_error);
    LoadReport report;
    CHECK(load_classification_csv(ragged, {true, 0}, &report).texts.size() == 1);
    CHECK(report.skipped == 1);
    const std::string open = write("open.csv", "1,\"never closed\n2,x\n");
    CHECK_THROWS_WITH_AS(load_classification_csv(open),
                         (open + ":1: a quoted field is not closed before the end of the file").c_str(), std::runtime_error);
}

TEST_CASE("the real samples in ../shared/datasets load, when that folder exists") {
    const std::string folder = std::string(ATTN_SOURCE_ROOT) + "/../shared/datasets/";
    if (!std::filesystem::exists(folder + "tatoeba-eng-fra-5k.tsv")) {
        MESSAGE("shared/datasets not found: skipped");
        return;
    }
    const std::vector<SentencePair> pairs = load_parallel_tsv(folder + "tatoeba-eng-fra-5k.tsv");
    CHECK(pairs.size() == 5000);
    const LabelledTexts bbc = load_classification_csv(folder + "bbc-sport-politics.csv");
    CHECK(bbc.texts.size() == 928);
    CHECK(bbc.label_names == std::vector<std::string>{"Politics", "Sports"});
}

TEST_CASE("the shipped datasets load, with the documented sizes and consistent annotations") {
    const std::string root = std::string(ATTN_SOURCE_ROOT) + "/datasets/";
    CHECK(load_parallel_tsv(root + "dates/train.tsv").size() == 20000);
    for (const SentencePair& p : load_parallel_tsv(root + "dates/test.tsv")) CHECK(p.target.size() == 10);  // YYYY-MM-DD

    const std::vector<AlignedPair> toy = load_aligned_pairs(root + "toy_translation/test.tsv");
    CHECK(toy.size() == 1000);
    std::size_t crossing = 0;
    for (const AlignedPair& p : toy) {
        for (const auto& a : p.links)
            for (const auto& b : p.links) crossing += a.first < b.first && a.second > b.second;
    }
    CHECK(crossing > 100);  // adjectives after nouns make alignments cross

    const std::vector<Review> reviews = load_reviews(root + "reviews/valid.tsv");
    CHECK(reviews.size() == 1000);
    std::vector<int> per_rating(6, 0);
    for (const Review& r : reviews) {
        ++per_rating[std::size_t(r.rating)];
        CHECK(r.sentences.size() >= 4);
        CHECK(r.sentences.size() <= 12);
        CHECK(r.key_sentences.size() >= 1);
        CHECK(r.key_sentences.size() <= 3);
        CHECK(r.key_words.size() == r.key_sentences.size());
    }
    for (int rating = 1; rating <= 5; ++rating) CHECK(per_rating[std::size_t(rating)] > 150);  // roughly balanced

    const std::string bad = write("bad_reviews.tsv", "6\ta b .\t0\t0:1\n");
    CHECK_THROWS_WITH_AS(load_reviews(bad), (bad + ":1: rating 6 is outside 1..5").c_str(), std::runtime_error);
    const std::string bad_links = write("bad_links.tsv", "a b\tx y\t0-0 1-5\n");
    CHECK_THROWS_WITH_AS(load_aligned_pairs(bad_links),
                         (bad_links + ":1: link '1-5' points outside the sentences (2 and 2 tokens)").c_str(), std::runtime_error);
    // possible links ("s?t", Och & Ney's P) apart from the sure ones; a pair may have no link at all
    const std::vector<AlignedPair> mixed = parse_aligned_pairs("a b\tx y\t0-0 1?1 1?0\nc\tz\t\n", "mixed.tsv");
    CHECK(mixed[0].links == Alignment{{0, 0}});
    CHECK(mixed[0].possible == Alignment{{1, 1}, {1, 0}});
    CHECK(mixed[1].links.empty());
    CHECK(mixed[1].possible.empty());
    CHECK_THROWS_WITH_AS(parse_aligned_pairs("a b\tx y\t1?\n", "half.tsv"),
                         "half.tsv:1: target position '' is not a whole number", std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_aligned_pairs("a b\tx y\t1?0?1\n", "three.tsv"),
                         "three.tsv:1: link '1?0?1' is not of the form s-t (sure) or s?t (possible)", std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_aligned_pairs("a b\tx y\t0?5\n", "far.tsv"),
                         "far.tsv:1: link '0?5' points outside the sentences (2 and 2 tokens)", std::runtime_error);
    const std::string short_line = write("short.tsv", "a b\tx y\n");
    CHECK_THROWS_WITH_AS(load_aligned_pairs(short_line),
                         (short_line + ":1: expected 3 tab-separated fields (source, target, links), found 2").c_str(),
                         std::runtime_error);
}

TEST_CASE("the shipped Bible: sizes, a verse reference for every line, and no test chapter in training") {
    const std::string root = std::string(ATTN_SOURCE_ROOT) + "/datasets/bible/";
    const std::regex reference(R"(^([1-3A-Z][A-Za-z ()]*[a-z)]) (\d+):(\d+)$)");
    std::map<std::string, std::set<std::string>> chapters;  // split -> "Book chapter"
    const std::pair<const char*, std::size_t> splits[] = {{"train", 13112}, {"valid", 290}, {"test", 355}};
    for (const auto& entry : splits) {  // not a structured binding: clang refuses one in CAPTURE
        const std::string split = entry.first;
        const std::size_t size = entry.second;
        CAPTURE(split);
        CHECK(load_aligned_pairs(root + split + ".tsv").size() == size);
        const std::string refs = read_text_file(root + split + ".refs");
        Lines lines(refs, split);
        std::size_t n = 0;
        for (std::string line; lines.next(line); ++n) {
            std::smatch m;
            REQUIRE_MESSAGE(std::regex_match(line, m, reference), line);
            chapters[split].insert(m[1].str() + " " + m[2].str());
        }
        CHECK(n == size);  // line for line
    }
    CHECK(*chapters["train"].begin() == "Acts 1");
    for (const std::string& c : chapters["test"]) CHECK_MESSAGE(chapters["train"].count(c) == 0, c);  // split by chapter
    for (const std::string& c : chapters["valid"]) CHECK_MESSAGE(chapters["train"].count(c) == 0, c);
}

TEST_CASE("libFM format: labels, index:value pairs, blank lines, a byte-order mark, CRLF") {
    const LibfmData d = parse_libfm("\xEF\xBB\xBF" "1.5 0:1 7:0.5\r\n\n   \n-2 3:1 2:2.25\n", "tiny.libfm");
    CHECK(d.size() == 2);
    CHECK(d.fields == 2);
    CHECK(d.feature_count == 8);
    CHECK(d.labels == std::vector<double>{1.5, -2});
    CHECK(d.features == std::vector<int>{0, 7, 3, 2});
    CHECK(d.values == std::vector<double>{1, 0.5, 1, 2.25});
    const std::string root = std::string(ATTN_SOURCE_ROOT) + "/datasets/interactions/";
    const LibfmData shipped = load_libfm(root + "train.libfm");
    CHECK(shipped.size() == 16000);
    CHECK(shipped.fields == 12);
    CHECK(load_libfm(root + "test.libfm").size() == 2000);
}

TEST_CASE("libFM format: every malformed line is refused with the file, the line and the cause") {
    auto error_of = [](const std::string& text) {
        try {
            parse_libfm(text, "f.libfm");
        } catch (const std::runtime_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(error_of("1 0:1 2\n") == "f.libfm:1: expected index:value, found '2'");
    CHECK(error_of("1 0:1 2:\n") == "f.libfm:1: expected index:value, found '2:'");
    CHECK(error_of("1 0:1 2:x\n") == "f.libfm:1: expected index:value, found '2:x'");
    CHECK(error_of("1 0:1 -3:1\n") == "f.libfm:1: the index in '-3:1' is not a whole number from 0 to 16777215");
    CHECK(error_of("1 0:1 16777216:1\n") == "f.libfm:1: the index in '16777216:1' is not a whole number from 0 to 16777215");
    CHECK(error_of("1 0:1 99999999999:1\n") == "f.libfm:1: the index in '99999999999:1' is not a whole number from 0 to 16777215");
    CHECK(error_of("yes 0:1\n") == "f.libfm:1: expected a label (a finite number) first, found 'yes'");
    CHECK(error_of("nan 0:1\n") == "f.libfm:1: expected a label (a finite number) first, found 'nan'");
    CHECK(error_of("1 0:inf\n") == "f.libfm:1: expected index:value, found '0:inf'");
    CHECK(error_of("1 0:1 1:1\n2\n") == "f.libfm:2: the label has no index:value pairs after it");
    CHECK(error_of("1 0:1 1:1\n2 0:1\n") == "f.libfm:2: 1 index:value pairs, but the first example has 2 (every line needs one per field)");
    CHECK(error_of(std::string("1 0:1\n2 0:\0", 11)) == "f.libfm:2: a NUL byte at byte 5 (a binary or UTF-16 file? save it as UTF-8 text)");
    CHECK(error_of("") == "f.libfm: no examples (expected lines 'label index:value ...')");
    CHECK(error_of("\n  \n") == "f.libfm: no examples (expected lines 'label index:value ...')");
}
