#include "vault/selector.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace mv::vault {

namespace {

// "YYYY-MM-DD…": a time, even when parse_time() refuses it (out of range): the user must
// hear why rather than "no tag".
bool looks_like_a_date(std::string_view text) {
    const auto digit = [&](std::size_t i) {
        return i < text.size() && text[i] >= '0' && text[i] <= '9';
    };
    return digit(0) && digit(1) && digit(2) && digit(3) && text.size() > 4 && text[4] == '-';
}

// "1" or "1.4": the version parts given; nullopt when `text` is not such a prefix.
std::optional<std::vector<unsigned>> parse_prefix(std::string_view text) {
    std::vector<unsigned> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find('.', start), text.size());
        const std::string_view digits = text.substr(start, end - start);
        unsigned value = 0;
        const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size() ||
            (digits.size() > 1 && digits[0] == '0')) {
            return std::nullopt;
        }
        parts.push_back(value);
        start = end + 1;
    }
    if (parts.empty() || parts.size() > 2) {
        return std::nullopt;
    }
    return parts;
}

const Manifest* highest(const std::vector<const Manifest*>& candidates) {
    const Manifest* best = nullptr;
    for (const Manifest* m : candidates) {
        if (best == nullptr || m->version > best->version) {
            best = m;
        }
    }
    return best;
}

} // namespace

std::string describe_versions(const std::vector<Manifest>& versions) {
    if (versions.empty()) {
        return "no versions";
    }
    const auto [low, high] = std::minmax_element(
        versions.begin(), versions.end(),
        [](const Manifest& a, const Manifest& b) { return a.version < b.version; });
    if (versions.size() == 1) {
        return fmt::format("only {}", low->version.to_string());
    }
    return fmt::format("{}–{} ({} versions)", low->version.to_string(), high->version.to_string(),
                       versions.size());
}

Result<Manifest> select_version(const std::vector<Manifest>& versions, std::string_view model,
                                std::string_view selector, const Pointers& pointers) {
    if (versions.empty()) {
        return failure(fmt::format("{} has no versions in the vault", model));
    }
    const auto missing = [&](std::string_view what) {
        return failure(fmt::format("{} has {}; {}", model, describe_versions(versions), what));
    };
    if (selector.empty() || selector == "latest") {
        return versions.back();
    }
    if (auto exact = Version::parse(selector)) {
        for (const auto& m : versions) {
            if (m.version == *exact) {
                return m;
            }
        }
        return missing(fmt::format("no version {}", selector));
    }
    if (auto prefix = parse_prefix(selector)) {
        std::vector<const Manifest*> matching;
        for (const auto& m : versions) {
            if (m.version.major == (*prefix)[0] &&
                (prefix->size() < 2 || m.version.minor == (*prefix)[1])) {
                matching.push_back(&m);
            }
        }
        if (matching.empty()) {
            return missing(fmt::format("no version {}.x", selector));
        }
        return *highest(matching);
    }
    const std::string_view time_text = selector.starts_with('@') ? selector.substr(1) : selector;
    if (auto time = parse_time(time_text);
        time || selector.starts_with('@') || looks_like_a_date(time_text)) {
        if (!time) {
            return failure(time.error());
        }
        const Manifest* newest = nullptr;
        for (const auto& m : versions) {
            if (m.created <= *time &&
                (newest == nullptr || m.created > newest->created ||
                 (m.created == newest->created && m.sequence > newest->sequence))) {
                newest = &m;
            }
        }
        if (newest == nullptr) {
            return missing(fmt::format("none was made at or before {} (the first was made {})",
                                       format_utc(*time), format_utc(versions.front().created)));
        }
        return *newest;
    }
    if (selector == "best" || selector == "current") {
        const auto& target = selector == "best" ? pointers.best : pointers.current;
        for (const auto& m : versions) {
            if (target && m.version == *target) {
                return m;
            }
        }
        if (!target) {
            return missing(selector == "best"
                               ? "none is `best` (no improvement trigger has chosen one)"
                               : "none is `current` (nothing was rolled back)");
        }
    }
    // A tag: the newest version carrying it.
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        if (std::find(it->tags.begin(), it->tags.end(), selector) != it->tags.end()) {
            return *it;
        }
    }
    return missing(fmt::format("no tag '{}'", selector));
}

} // namespace mv::vault
