// dates: human-readable dates in 12 formats -> ISO 8601 (YYYY-MM-DD), for character-level models.
#include <cstdio>
#include <set>

#include "generate.hpp"

namespace gen {

namespace {

const std::vector<std::string> months{"January", "February", "March",     "April",   "May",      "June",
                                      "July",    "August",   "September", "October", "November", "December"};
const std::vector<std::string> weekdays{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in(int y, int m) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}
/// 0 = Sunday (Sakamoto's method).
int weekday(int y, int m, int d) {
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    if (m < 3) y -= 1;
    return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}
std::string ordinal(int d) {
    const char* suffix = (d % 10 == 1 && d != 11) ? "st" : (d % 10 == 2 && d != 12) ? "nd" : (d % 10 == 3 && d != 13) ? "rd" : "th";
    return std::to_string(d) + suffix;
}
std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
std::string upper(std::string s) {
    for (char& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string format(int f, int y, int m, int d) {
    char buffer[64];
    const std::string& month = months[std::size_t(m - 1)];
    const std::string& day = weekdays[std::size_t(weekday(y, m, d))];
    switch (f) {
        case 0: std::snprintf(buffer, sizeof buffer, "%s, %d %s %d", day.c_str(), d, month.c_str(), y); break;  // Friday, 20 November 2026
        case 1: std::snprintf(buffer, sizeof buffer, "%d %s %d", d, month.c_str(), y); break;                   // 20 November 2026
        case 2: std::snprintf(buffer, sizeof buffer, "%s %d, %d", month.c_str(), d, y); break;                  // November 20, 2026
        case 3: std::snprintf(buffer, sizeof buffer, "%02d/%02d/%02d", m, d, y % 100); break;                   // 11/20/26
        case 4: std::snprintf(buffer, sizeof buffer, "%02d.%02d.%d", d, m, y); break;                           // 20.11.2026
        case 5: std::snprintf(buffer, sizeof buffer, "%d/%d/%d", d, m, y); break;                               // 20/11/2026
        case 6: std::snprintf(buffer, sizeof buffer, "%s %d %d", month.substr(0, 3).c_str(), d, y); break;      // Nov 20 2026
        case 7: std::snprintf(buffer, sizeof buffer, "%d-%s-%d", d, month.substr(0, 3).c_str(), y); break;     // 20-Nov-2026
        case 8: std::snprintf(buffer, sizeof buffer, "%s %d %s %d", lower(day).c_str(), d, lower(month.substr(0, 3)).c_str(), y); break;  // friday 20 nov 2026
        case 9: std::snprintf(buffer, sizeof buffer, "the %s of %s %d", ordinal(d).c_str(), month.c_str(), y); break;  // the 20th of November 2026
        case 10: std::snprintf(buffer, sizeof buffer, "%s %d %d", upper(month).c_str(), d, y); break;          // NOVEMBER 20 2026
        default: std::snprintf(buffer, sizeof buffer, "%s %s, %d", month.substr(0, 3).c_str(), ordinal(d).c_str(), y); break;  // Nov 20th, 2026
    }
    return buffer;
}

}  // namespace

void dates(const std::string& folder, std::uint64_t seed) {
    attn::Rng rng(seed);
    std::set<std::string> used;  // no source appears in two splits
    auto make = [&](std::size_t n) {
        std::vector<std::string> lines;
        while (lines.size() < n) {
            const int y = between(1950, 2049, rng), m = between(1, 12, rng), d = between(1, days_in(y, m), rng);
            const std::string source = format(between(0, 11, rng), y, m, d);
            if (!used.insert(source).second) continue;
            char iso[48];  // room for any int, so the compiler can prove no truncation
            std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
            lines.push_back(source + "\t" + iso);
        }
        return lines;
    };
    write_lines(folder + "/train.tsv", make(20000));
    write_lines(folder + "/valid.tsv", make(1000));
    write_lines(folder + "/test.tsv", make(1000));
}

}  // namespace gen
