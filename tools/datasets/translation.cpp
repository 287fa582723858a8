// toy translation: English-like to French-like sentences from a small grammar, with gold word
// alignments. French puts most adjectives after the noun (crossing alignments), agrees articles and
// adjectives in gender and number, and wraps negation around the verb (ne ... pas).
#include <algorithm>
#include <set>

#include "generate.hpp"

namespace gen {

namespace {

struct Noun {
    std::string en, en_plural, fr, fr_plural;
    bool feminine;
};
struct Adjective {
    std::string en;
    std::string fr[4];  // masculine, feminine, masculine plural, feminine plural
    bool before_noun;   // petit, grand, vieux, nouveau, beau go before the noun in French
};
struct Verb {
    std::string en_singular, en_plural, fr_singular, fr_plural;
};
struct Determiner {
    std::string en_singular, en_plural;
    std::string fr[3];  // masculine singular, feminine singular, plural
};

const std::vector<Noun> nouns{
    {"cat", "cats", "chat", "chats", false},       {"dog", "dogs", "chien", "chiens", false},
    {"mouse", "mice", "souris", "souris", true},    {"horse", "horses", "cheval", "chevaux", false},
    {"house", "houses", "maison", "maisons", true}, {"car", "cars", "voiture", "voitures", true},
    {"apple", "apples", "pomme", "pommes", true},   {"book", "books", "livre", "livres", false},
    {"table", "tables", "table", "tables", true},   {"girl", "girls", "fille", "filles", true},
    {"boy", "boys", "garçon", "garçons", false},    {"woman", "women", "femme", "femmes", true},
    {"king", "kings", "roi", "rois", false},        {"flower", "flowers", "fleur", "fleurs", true},
    {"chair", "chairs", "chaise", "chaises", true}, {"fish", "fish", "poisson", "poissons", false},
    {"letter", "letters", "lettre", "lettres", true}, {"song", "songs", "chanson", "chansons", true},
    {"bread", "breads", "pain", "pains", false},    {"door", "doors", "porte", "portes", true},
};
const std::vector<Adjective> adjectives{
    {"black", {"noir", "noire", "noirs", "noires"}, false},      {"white", {"blanc", "blanche", "blancs", "blanches"}, false},
    {"red", {"rouge", "rouge", "rouges", "rouges"}, false},      {"green", {"vert", "verte", "verts", "vertes"}, false},
    {"blue", {"bleu", "bleue", "bleus", "bleues"}, false},       {"happy", {"heureux", "heureuse", "heureux", "heureuses"}, false},
    {"sad", {"triste", "triste", "tristes", "tristes"}, false},  {"small", {"petit", "petite", "petits", "petites"}, true},
    {"big", {"grand", "grande", "grands", "grandes"}, true},     {"old", {"vieux", "vieille", "vieux", "vieilles"}, true},
    {"new", {"nouveau", "nouvelle", "nouveaux", "nouvelles"}, true}, {"beautiful", {"beau", "belle", "beaux", "belles"}, true},
};
const std::vector<Verb> verbs{
    {"sees", "see", "voit", "voient"},         {"eats", "eat", "mange", "mangent"},
    {"watches", "watch", "regarde", "regardent"}, {"finds", "find", "trouve", "trouvent"},
    {"takes", "take", "prend", "prennent"},    {"wants", "want", "veut", "veulent"},
    {"carries", "carry", "porte", "portent"},  {"draws", "draw", "dessine", "dessinent"},
    {"follows", "follow", "suit", "suivent"},  {"buys", "buy", "achète", "achètent"},
    {"sells", "sell", "vend", "vendent"},      {"reads", "read", "lit", "lisent"},
};
const std::vector<Determiner> determiners{
    {"the", "the", {"le", "la", "les"}},
    {"a", "some", {"un", "une", "des"}},
    {"this", "these", {"ce", "cette", "ces"}},
    {"my", "my", {"mon", "ma", "mes"}},
};

/// A sentence being built on both sides, with the links between their tokens.
struct Pair {
    std::vector<std::string> en, fr;
    std::vector<std::pair<std::size_t, std::size_t>> links;  // (English index, French index)
};

/// Appends a noun phrase; returns whether it is plural (for verb agreement).
bool noun_phrase(Pair& p, attn::Rng& rng) {
    const Noun& noun = pick(nouns, rng);
    const Determiner& det = pick(determiners, rng);
    const bool plural = rng.below(3) == 0;
    std::vector<const Adjective*> adjs;
    const int count = int(rng.below(10) < 5 ? 0 : rng.below(10) < 7 ? 1 : 2);
    while (int(adjs.size()) < count) {
        const Adjective* a = &pick(adjectives, rng);
        bool repeated = false;
        for (const Adjective* b : adjs) repeated = repeated || b->before_noun == a->before_noun;  // one per side
        if (!repeated) adjs.push_back(a);
    }
    // English order: size/age/beauty before colour/mood ("the small black cat")
    if (adjs.size() == 2 && !adjs[0]->before_noun) std::swap(adjs[0], adjs[1]);
    const int form = (plural ? 2 : 0) + (noun.feminine ? 1 : 0);

    const std::size_t en_det = p.en.size();
    p.en.push_back(plural ? det.en_plural : det.en_singular);
    std::vector<std::size_t> en_adj;
    for (const Adjective* a : adjs) {
        en_adj.push_back(p.en.size());
        p.en.push_back(a->en);
    }
    const std::size_t en_noun = p.en.size();
    p.en.push_back(plural ? noun.en_plural : noun.en);

    p.links.emplace_back(en_det, p.fr.size());
    p.fr.push_back(det.fr[plural ? 2 : (noun.feminine ? 1 : 0)]);
    for (std::size_t k = 0; k < adjs.size(); ++k) {
        if (!adjs[k]->before_noun) continue;
        p.links.emplace_back(en_adj[k], p.fr.size());
        p.fr.push_back(adjs[k]->fr[form]);
    }
    p.links.emplace_back(en_noun, p.fr.size());
    p.fr.push_back(plural ? noun.fr_plural : noun.fr);
    for (std::size_t k = 0; k < adjs.size(); ++k) {
        if (adjs[k]->before_noun) continue;
        p.links.emplace_back(en_adj[k], p.fr.size());  // after the noun: a crossing link
        p.fr.push_back(adjs[k]->fr[form]);
    }
    return plural;
}

Pair sentence(attn::Rng& rng) {
    Pair p;
    const bool plural = noun_phrase(p, rng);
    const Verb& verb = pick(verbs, rng);
    const bool negated = rng.below(4) == 0;
    if (negated) {
        p.en.push_back(plural ? "do" : "does");  // no French counterpart: unaligned
        const std::size_t en_not = p.en.size();
        p.en.push_back("not");
        p.links.emplace_back(p.en.size(), p.fr.size() + 1);  // verb
        p.en.push_back(verb.en_plural);  // "does not see": the base form
        p.links.emplace_back(en_not, p.fr.size());           // not - ne
        p.fr.push_back("ne");
        p.fr.push_back(plural ? verb.fr_plural : verb.fr_singular);
        p.links.emplace_back(en_not, p.fr.size());           // not - pas
        p.fr.push_back("pas");
    } else {
        p.links.emplace_back(p.en.size(), p.fr.size());
        p.en.push_back(plural ? verb.en_plural : verb.en_singular);
        p.fr.push_back(plural ? verb.fr_plural : verb.fr_singular);
    }
    noun_phrase(p, rng);
    p.links.emplace_back(p.en.size(), p.fr.size());
    p.en.push_back(".");
    p.fr.push_back(".");
    return p;
}

std::string join(const std::vector<std::string>& tokens) {
    std::string s;
    for (std::size_t i = 0; i < tokens.size(); ++i) s += (i ? " " : "") + tokens[i];
    return s;
}

}  // namespace

void translation(const std::string& folder, std::uint64_t seed) {
    attn::Rng rng(seed);
    std::set<std::string> used;
    auto make = [&](std::size_t n) {
        std::vector<std::string> lines;
        while (lines.size() < n) {
            const Pair p = sentence(rng);
            const std::string source = join(p.en);
            if (!used.insert(source).second) continue;
            std::vector<std::pair<std::size_t, std::size_t>> sorted = p.links;
            std::sort(sorted.begin(), sorted.end());
            std::string links;
            for (const auto& [e, f] : sorted) links += (links.empty() ? "" : " ") + std::to_string(e) + "-" + std::to_string(f);
            lines.push_back(source + "\t" + join(p.fr) + "\t" + links);
        }
        return lines;
    };
    write_lines(folder + "/train.tsv", make(20000));
    write_lines(folder + "/valid.tsv", make(1000));
    write_lines(folder + "/test.tsv", make(1000));
}

}  // namespace gen
