// reviews: multi-sentence restaurant reviews whose rating (1..5) is decided by one to three
// opinion sentences hidden among neutral ones. The generator records which sentences, and which
// word in each, carry the rating — the ground truth for hierarchical attention.
//
// An opinion has a value: strong positive +2 ("excellent", or "very good"), positive +1, neutral 0
// ("okay"), negative -1, strong negative -2. Negation flips a mild opinion ("not good" = -1,
// "not bad" = +1); an intensifier doubles it ("really bad" = -2). The rating is the mean value m
// mapped to 5 (m >= 1.5), 4 (>= 0.5), 3 (> -0.5), 2 (> -1.5) or 1.
#include <cmath>

#include "generate.hpp"

namespace gen {

namespace {

const std::vector<std::string> aspects{"food", "service", "waiter", "soup", "dessert", "pizza", "coffee", "wine",
                                       "staff", "steak", "bread", "salad", "atmosphere", "music", "pasta", "fish"};
const std::vector<std::string> strong_positive{"excellent", "wonderful", "delicious", "superb", "fantastic", "perfect"};
const std::vector<std::string> positive{"good", "nice", "pleasant", "friendly", "tasty", "fresh"};
const std::vector<std::string> neutral_opinion{"okay", "average", "acceptable", "ordinary"};
const std::vector<std::string> negative{"bad", "slow", "bland", "rude", "cold", "dull"};
const std::vector<std::string> strong_negative{"terrible", "awful", "disgusting", "horrible", "inedible", "dreadful"};
const std::vector<std::string> intensifiers{"very", "really", "extremely"};

const std::vector<std::vector<std::string>> neutral_templates{
    {"we", "arrived", "at", "the", "restaurant", "at", "TIME", "."},
    {"my", "PERSON", "ordered", "the", "ASPECT", "."},
    {"the", "restaurant", "is", "near", "the", "PLACE", "."},
    {"we", "sat", "by", "the", "window", "."},
    {"the", "menu", "had", "NUMBER", "pages", "."},
    {"i", "had", "the", "ASPECT", "and", "my", "PERSON", "had", "the", "ASPECT", "."},
    {"it", "was", "a", "DAY", "evening", "."},
    {"we", "paid", "by", "card", "."},
    {"the", "place", "opened", "last", "year", "."},
    {"there", "were", "NUMBER", "other", "tables", "."},
    {"we", "came", "here", "for", "a", "birthday", "."},
    {"the", "kitchen", "closes", "at", "TIME", "."},
    {"parking", "is", "on", "the", "next", "street", "."},
    {"we", "stayed", "for", "about", "NUMBER", "hours", "."},
};
const std::vector<std::string> times{"six", "seven", "eight", "nine"};
const std::vector<std::string> people{"friend", "sister", "brother", "wife", "husband", "colleague"};
const std::vector<std::string> places{"station", "river", "park", "museum", "market", "cathedral"};
const std::vector<std::string> numbers{"two", "three", "four", "five", "ten"};
const std::vector<std::string> days{"monday", "friday", "saturday", "sunday", "rainy", "quiet"};

int rating_of(double mean) { return mean >= 1.5 ? 5 : mean >= 0.5 ? 4 : mean > -0.5 ? 3 : mean > -1.5 ? 2 : 1; }

std::vector<std::string> neutral_sentence(attn::Rng& rng) {
    std::vector<std::string> words = pick(neutral_templates, rng);
    for (std::string& w : words) {
        if (w == "TIME") w = pick(times, rng);
        else if (w == "PERSON") w = pick(people, rng);
        else if (w == "ASPECT") w = pick(aspects, rng);
        else if (w == "PLACE") w = pick(places, rng);
        else if (w == "NUMBER") w = pick(numbers, rng);
        else if (w == "DAY") w = pick(days, rng);
    }
    return words;
}

/// An opinion sentence of the given value; `key` receives the index of the opinion word.
std::vector<std::string> opinion_sentence(int value, attn::Rng& rng, std::size_t& key) {
    std::vector<std::string> words{"the", pick(aspects, rng), rng.below(2) ? "was" : "is"};
    const int form = int(rng.below(3));  // 0 plain, 1 intensified (+-2) or negated (+-1), 2 plain again
    std::string word;
    if (value == 2 && form == 1) {
        words.push_back(pick(intensifiers, rng));
        word = pick(positive, rng);
    } else if (value == -2 && form == 1) {
        words.push_back(pick(intensifiers, rng));
        word = pick(negative, rng);
    } else if (value == 1 && form == 1) {
        words.push_back("not");
        word = pick(negative, rng);
    } else if (value == -1 && form == 1) {
        words.push_back("not");
        word = pick(positive, rng);
    } else {
        const std::vector<std::string>* lists[] = {&strong_negative, &negative, &neutral_opinion, &positive, &strong_positive};
        word = pick(*lists[value + 2], rng);
    }
    key = words.size();
    words.push_back(word);
    words.push_back(".");
    return words;
}

std::string review(attn::Rng& rng) {
    const int rating = between(1, 5, rng);
    std::vector<int> values;
    for (;;) {  // opinions whose mean gives the chosen rating
        values.assign(std::size_t(between(1, 3, rng)), 0);
        double total = 0;
        for (int& v : values) total += (v = between(-2, 2, rng));
        if (rating_of(total / double(values.size())) == rating) break;
    }
    const std::size_t sentences = std::size_t(between(4, 12, rng));
    std::vector<bool> is_opinion(sentences, false);
    for (std::size_t placed = 0; placed < values.size();) {
        const std::size_t at = rng.below(sentences);
        if (!is_opinion[at]) is_opinion[at] = true, ++placed;
    }
    std::string text, keys, key_words;
    std::size_t next_value = 0;
    for (std::size_t s = 0; s < sentences; ++s) {
        std::size_t key = 0;
        const std::vector<std::string> words = is_opinion[s] ? opinion_sentence(values[next_value++], rng, key) : neutral_sentence(rng);
        if (s > 0) text += " ||| ";
        for (std::size_t w = 0; w < words.size(); ++w) text += (w ? " " : "") + words[w];
        if (is_opinion[s]) {
            keys += (keys.empty() ? "" : ",") + std::to_string(s);
            key_words += (key_words.empty() ? "" : ",") + std::to_string(s) + ":" + std::to_string(key);
        }
    }
    return std::to_string(rating) + "\t" + text + "\t" + keys + "\t" + key_words;
}

}  // namespace

void reviews(const std::string& folder, std::uint64_t seed) {
    attn::Rng rng(seed);
    auto make = [&](std::size_t n) {
        std::vector<std::string> lines;
        for (std::size_t k = 0; k < n; ++k) lines.push_back(review(rng));
        return lines;
    };
    write_lines(folder + "/train.tsv", make(8000));
    write_lines(folder + "/valid.tsv", make(1000));
    write_lines(folder + "/test.tsv", make(1000));
}

}  // namespace gen
