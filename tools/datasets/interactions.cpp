// interactions: a recommendation-style regression data set with planted pairwise interactions,
// for chapter 7 (attentional factorization machines). Each example picks one value in each of twelve
// categorical fields (a user's age band and city, an item's category and brand, the hour, ...)
// uniformly. Its target is
//
//     y = sum_f u_f[a_f]  +  sum_{(f, g) planted} T_fg[a_f, a_g]  +  noise
//
// where three field pairs are planted (their tables T_fg have N(0, 1) entries), four fields add a
// small effect of their own (u_f entries N(0, 0.3^2); the other u_f are 0), and noise is
// N(0, 0.1^2). No other pair of fields interacts: a factorization machine, which weighs all 66
// pairs alike, has to learn that 63 of them are noise; attention can learn it directly.
// Files: train/valid/test.libfm (libFM format, one index:1 per field, in field order),
// fields.tsv (each field's name, first feature index and number of values), planted.tsv.
#include <cstdio>

#include "generate.hpp"

namespace gen {

namespace {

struct Field {
    std::string name;
    int values;
    double own_effect_sd;  // sd of u_f's entries (0: none)
};

const std::vector<Field> fields{
    {"user_age", 7, 0},       {"user_city", 12, 0},   {"user_gender", 3, 0.3}, {"item_category", 10, 0},
    {"item_brand", 40, 0.3},  {"hour", 8, 0},         {"weekday", 7, 0},       {"device", 30, 0.3},
    {"weather", 5, 0},        {"app_version", 25, 0.3}, {"referrer", 40, 0},   {"screen", 30, 0},
};
const std::vector<std::pair<int, int>> planted{{0, 3}, {1, 8}, {5, 6}};  // age x category, city x weather, hour x weekday

std::vector<std::vector<double>> normal_table(int rows, int columns, double sd, attn::Rng& rng) {
    std::vector<std::vector<double>> t(std::size_t(rows), std::vector<double>(std::size_t(columns), 0.0));
    for (auto& row : t)
        for (double& v : row) v = sd * rng.normal();
    return t;
}

}  // namespace

void interactions(const std::string& folder, std::uint64_t seed) {
    attn::Rng rng(seed);
    std::vector<int> first(fields.size());
    for (std::size_t f = 1; f < fields.size(); ++f) first[f] = first[f - 1] + fields[f - 1].values;
    std::vector<std::vector<double>> own;  // u_f
    for (const Field& field : fields) own.push_back(normal_table(1, field.values, field.own_effect_sd, rng)[0]);
    std::vector<std::vector<std::vector<double>>> tables;  // T_fg
    for (const auto& [f, g] : planted) tables.push_back(normal_table(fields[std::size_t(f)].values, fields[std::size_t(g)].values, 1.0, rng));

    auto examples = [&](std::size_t n) {
        std::vector<std::string> lines;
        for (std::size_t i = 0; i < n; ++i) {
            std::vector<int> a(fields.size());
            for (std::size_t f = 0; f < fields.size(); ++f) a[f] = between(0, fields[f].values - 1, rng);
            double y = 0.1 * rng.normal();
            for (std::size_t f = 0; f < fields.size(); ++f) y += own[f][std::size_t(a[f])];
            for (std::size_t p = 0; p < planted.size(); ++p) {
                y += tables[p][std::size_t(a[std::size_t(planted[p].first)])][std::size_t(a[std::size_t(planted[p].second)])];
            }
            char label[32];
            std::snprintf(label, sizeof label, "%.4f", y);
            std::string line = label;
            for (std::size_t f = 0; f < fields.size(); ++f) line += " " + std::to_string(first[f] + a[f]) + ":1";
            lines.push_back(line);
        }
        return lines;
    };
    write_lines(folder + "/train.libfm", examples(16000));
    write_lines(folder + "/valid.libfm", examples(2000));
    write_lines(folder + "/test.libfm", examples(2000));

    std::vector<std::string> field_lines{"field\tfirst_index\tvalues"};
    for (std::size_t f = 0; f < fields.size(); ++f) {
        field_lines.push_back(fields[f].name + "\t" + std::to_string(first[f]) + "\t" + std::to_string(fields[f].values));
    }
    write_lines(folder + "/fields.tsv", field_lines);
    std::vector<std::string> planted_lines{"field_a\tfield_b"};
    for (const auto& [f, g] : planted) planted_lines.push_back(fields[std::size_t(f)].name + "\t" + fields[std::size_t(g)].name);
    write_lines(folder + "/planted.tsv", planted_lines);
}

}  // namespace gen
