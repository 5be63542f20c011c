#include "config/detail/checker.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace mv::config::detail {

namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Optimal string alignment distance: insertions, deletions, substitutions and
// transpositions of neighbours ("kepe" → "keep") each cost one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) {
        d[i][0] = i;
    }
    for (std::size_t j = 0; j <= b.size(); ++j) {
        d[0][j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1])) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

} // namespace

void Checker::report(const KeyPath& path, std::string message) {
    m_findings.push_back({path, path, std::move(message)});
}

void Checker::report_missing(const KeyPath& path, std::string message) {
    m_findings.push_back({path, path.parent(), std::move(message)});
}

std::string_view suggest_key(std::string_view key, const std::vector<std::string_view>& known) {
    constexpr std::size_t k_max_distance = 2;
    std::string_view best;
    std::size_t best_distance = k_max_distance + 1;
    for (std::string_view candidate : known) {
        const std::size_t distance = edit_distance(key, candidate);
        // "x" is within distance 2 of "at": a suggestion must keep part of what was typed.
        if (distance < best_distance && distance < key.size()) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

} // namespace mv::config::detail
