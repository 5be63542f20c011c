#include "config/duration.hpp"

#include <array>
#include <cstdint>

#include <fmt/format.h>

#include "config/detail/quote.hpp"

namespace mv::config {

namespace {

struct Unit {
    std::string_view name;
    std::int64_t milliseconds;
};

// Largest first: format_duration() picks the largest unit that divides exactly.
constexpr std::array<Unit, 6> k_units{{
    {"w", 7 * 24 * 3600 * 1000LL},
    {"d", 24 * 3600 * 1000LL},
    {"h", 3600 * 1000LL},
    {"m", 60 * 1000LL},
    {"s", 1000LL},
    {"ms", 1LL},
}};

constexpr std::string_view k_expected = "expected a duration such as 30s, 5m, 6h, 7d";

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

const Unit* find_unit(std::string_view name) {
    for (const Unit& unit : k_units) {
        if (unit.name == name) {
            return &unit;
        }
    }
    return nullptr;
}

Result<Duration> invalid(std::string_view text, std::string_view reason) {
    return failure(fmt::format("{}, got {} ({})", k_expected, detail::quote(text), reason));
}

// "1h30m" when `milliseconds` is split greedily into the largest units.
std::string format_greedy(std::uint64_t milliseconds) {
    std::string text;
    for (const Unit& unit : k_units) {
        const auto size = static_cast<std::uint64_t>(unit.milliseconds);
        if (milliseconds >= size) {
            text += fmt::format("{}{}", milliseconds / size, unit.name);
            milliseconds %= size;
        }
    }
    return text;
}

// "90m": the whole value in the largest unit that divides it exactly.
std::string format_single(std::uint64_t milliseconds) {
    for (const Unit& unit : k_units) {
        const auto size = static_cast<std::uint64_t>(unit.milliseconds);
        if (milliseconds % size == 0) {
            return fmt::format("{}{}", milliseconds / size, unit.name);
        }
    }
    return fmt::format("{}ms", milliseconds);
}

} // namespace

Result<Duration> parse_duration(std::string_view text) {
    if (text.empty()) {
        return invalid(text, "empty");
    }
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!is_digit(text[i])) {
            if (text[i] == '-') {
                return invalid(text, "a duration cannot be negative");
            }
            return invalid(text, fmt::format("unexpected {} where a number should be",
                                             detail::quote(text.substr(i, 1))));
        }
        std::int64_t number = 0;
        for (; i < text.size() && is_digit(text[i]); ++i) {
            if (__builtin_mul_overflow(number, 10, &number) ||
                __builtin_add_overflow(number, text[i] - '0', &number)) {
                return invalid(text, "too large");
            }
        }
        if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
            return invalid(text, "fractions are not supported; combine units instead, e.g. 1h30m");
        }
        const std::size_t unit_start = i;
        while (i < text.size() && is_letter(text[i])) {
            ++i;
        }
        const std::string_view unit_name = text.substr(unit_start, i - unit_start);
        if (unit_name.empty() && i < text.size()) {
            return invalid(text, fmt::format("unexpected {} after a number; expected a unit: ms, "
                                             "s, m, h, d or w",
                                             detail::quote(text.substr(i, 1))));
        }
        if (unit_name.empty()) {
            return invalid(text, "missing unit: add ms, s, m, h, d or w");
        }
        const Unit* unit = find_unit(unit_name);
        if (unit == nullptr) {
            return invalid(text, fmt::format("unknown unit {}; units are ms, s, m, h, d, w",
                                             detail::quote(unit_name)));
        }
        std::int64_t part = 0;
        if (__builtin_mul_overflow(number, unit->milliseconds, &part) ||
            __builtin_add_overflow(total, part, &total)) {
            return invalid(text, "too large");
        }
    }
    return Duration(total);
}

std::string format_duration(Duration duration) {
    const std::int64_t count = duration.count();
    if (count == 0) {
        return "0s";
    }
    // Negate in unsigned arithmetic so that the most negative value does not overflow.
    const std::uint64_t magnitude =
        count < 0 ? 0 - static_cast<std::uint64_t>(count) : static_cast<std::uint64_t>(count);
    std::string single = format_single(magnitude);
    std::string greedy = format_greedy(magnitude);
    std::string& shortest = greedy.size() < single.size() ? greedy : single;
    return count < 0 ? "-" + shortest : shortest;
}

} // namespace mv::config
