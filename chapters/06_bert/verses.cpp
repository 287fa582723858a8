// chapters/06_bert/verses.cpp — the verses, their sections and the split (verses.hpp).
#include "verses.hpp"

#include <cstdlib>
#include <map>
#include <stdexcept>

#include "attn/data/lines.hpp"
#include "attn/data/shipped.hpp"
#include "attn/data/text.hpp"
#include "attn/support/io.hpp"

namespace ch06 {

using namespace attn;

const std::vector<std::string> section_names{"law", "history", "wisdom", "prophets", "gospels and acts", "letters", "apocalyptic"};

int section_of(const std::string& book) {
    static const std::map<std::string, int> first_books{
        {"Genesis", 0}, {"Joshua", 1}, {"Job", 2}, {"Isaiah", 3}, {"Matthew", 4}, {"Romans", 5}, {"Revelation of John", 6}};
    static const std::vector<std::string> canon{
        "Genesis", "Exodus", "Leviticus", "Numbers", "Deuteronomy", "Joshua", "Judges", "Ruth", "I Samuel", "II Samuel", "I Kings",
        "II Kings", "I Chronicles", "II Chronicles", "Ezra", "Nehemiah", "Esther", "Job", "Psalms", "Proverbs", "Ecclesiastes",
        "Song of Solomon", "Isaiah", "Jeremiah", "Lamentations", "Ezekiel", "Daniel", "Hosea", "Joel", "Amos", "Obadiah", "Jonah",
        "Micah", "Nahum", "Habakkuk", "Zephaniah", "Haggai", "Zechariah", "Malachi", "Matthew", "Mark", "Luke", "John", "Acts",
        "Romans", "I Corinthians", "II Corinthians", "Galatians", "Ephesians", "Philippians", "Colossians", "I Thessalonians",
        "II Thessalonians", "I Timothy", "II Timothy", "Titus", "Philemon", "Hebrews", "James", "I Peter", "II Peter", "I John",
        "II John", "III John", "Jude", "Revelation of John"};
    int section = -1;
    for (const std::string& b : canon) {  // books in canonical order: a section starts at its first book
        if (first_books.count(b)) section = first_books.at(b);
        if (b == book) return section;
    }
    return -1;
}

Corpus load_corpus(const std::string& folder) {
    const std::vector<AlignedPair> pairs = load_aligned_pairs(folder + "/train.tsv");
    const std::string refs_path = folder + "/train.refs", refs = read_text_file(refs_path);
    Lines lines(refs, refs_path);
    Corpus c;
    std::string line;
    std::size_t n = 0;
    while (lines.next(line)) {
        if (n >= pairs.size()) throw std::runtime_error(lines.where() + ": more references than verses in train.tsv");
        const std::size_t space = line.rfind(' '), colon = line.rfind(':');
        if (space == std::string::npos || colon == std::string::npos || colon < space) {
            throw std::runtime_error(lines.where() + ": expected 'Book chapter:verse', got '" + line + "'");
        }
        Verse v;
        v.reference = line;
        v.book = line.substr(0, space);
        v.chapter = std::atoi(line.substr(space + 1, colon - space - 1).c_str());
        v.section = section_of(v.book);
        if (v.section < 0 || v.chapter <= 0) throw std::runtime_error(lines.where() + ": unknown book or chapter in '" + line + "'");
        v.words = pairs[n++].source;
        (v.chapter % 10 == 0 ? c.test : v.chapter % 10 == 5 ? c.valid : c.train).push_back(std::move(v));
    }
    if (n != pairs.size()) throw std::runtime_error(refs_path + ": " + std::to_string(n) + " references for " + std::to_string(pairs.size()) + " verses");
    const std::pair<const std::vector<Verse>*, const char*> splits[] = {
        {&c.train, "to pretrain on (chapters not ending in 0 or 5)"}, {&c.valid, "to validate on (chapters ending in 5)"},
        {&c.test, "to test on (chapters ending in 0)"}};
    for (const auto& [split, what] : splits) {
        if (split->empty()) throw std::runtime_error(folder + "/train.tsv: no verses " + std::string(what));
    }
    return c;
}

std::vector<int> encode_with_masks(const std::string& text, const WordPiece& vocabulary) {
    std::vector<int> ids;
    std::size_t start = 0;
    for (;;) {
        const std::size_t at = text.find("[MASK]", start);
        for (int id : vocabulary.encode(split_words(text.substr(start, at == std::string::npos ? std::string::npos : at - start)))) {
            ids.push_back(id);
        }
        if (at == std::string::npos) break;
        ids.push_back(WordPiece::mask);
        start = at + 6;
    }
    return ids;
}

}  // namespace ch06
