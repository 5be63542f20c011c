#include "ctl/name_time.hpp"

#include <optional>
#include <regex>
#include <vector>

#include <fmt/format.h>

namespace mv::ctl {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool leap(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

bool valid(const NameTime& t) {
    static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (t.year < 1970 || t.year > 2099 || t.month < 1 || t.month > 12 || t.day < 1) {
        return false;
    }
    const int days = k_days[t.month - 1] + (t.month == 2 && leap(t.year) ? 1 : 0);
    return t.day <= days && t.hour <= 23 && t.minute <= 59 && t.second <= 59;
}

int number(const std::ssub_match& group) {
    return group.matched ? std::stoi(group.str()) : 0;
}

// One shape: the groups of year, month, day, hour, minute and second in its regex.
struct Shape {
    std::regex pattern;
    int year, month, day, hour, minute, second;
};

const std::vector<Shape>& shapes() {
    // Digits only: 20260103, 20260103_1632, 20260103-163205, 20260103T1632, 202601031632.
    // With separators: 2026-01-03, 2026_01_03_16_32, 2026-01-03T16:32:05, 2026.01.03 16h32.
    // No digit may follow (the lookahead); none may precede (checked by the caller).
    static const std::vector<Shape> k_shapes = {
        {std::regex(R"((\d{4})(\d{2})(\d{2})(?:[_T.\-]?(\d{2})(\d{2})(\d{2})?)?(?!\d))"), 1, 2, 3,
         4, 5, 6},
        {std::regex(
             R"((\d{4})([-_.])(\d{2})\2(\d{2})(?:[_T .\-](\d{2})([-:._h]?)(\d{2})(?:\6(\d{2}))?)?(?!\d))"),
         1, 3, 4, 5, 7, 8},
    };
    return k_shapes;
}

} // namespace

Result<NameTime> time_in_name(std::string_view name_view) {
    const std::string name(name_view);
    // The longest valid reading starting at each position, not glued to a digit before.
    std::vector<NameTime> found;
    std::size_t covered_until = 0;
    for (std::size_t start = 0; start < name.size(); ++start) {
        if (!is_digit(name[start]) || (start > 0 && is_digit(name[start - 1]))) {
            continue;
        }
        std::optional<NameTime> best;
        for (const Shape& shape : shapes()) {
            std::smatch m;
            if (!std::regex_search(name.cbegin() + static_cast<std::ptrdiff_t>(start), name.cend(),
                                   m, shape.pattern, std::regex_constants::match_continuous)) {
                continue;
            }
            NameTime t{number(m[shape.year]),   number(m[shape.month]),
                       number(m[shape.day]),    number(m[shape.hour]),
                       number(m[shape.minute]), number(m[shape.second]),
                       m[shape.hour].matched,   m.str(0)};
            if (!valid(t) && t.has_time) {
                // "20260103_2561": no time after all, but still a date if no digit follows.
                const auto date_end =
                    static_cast<std::size_t>(m.position(shape.day) + m.length(shape.day));
                t = {t.year, t.month, t.day, 0, 0, 0, false, m.str(0).substr(0, date_end)};
                if (start + date_end < name.size() && is_digit(name[start + date_end])) {
                    continue;
                }
            }
            if (valid(t) && (!best || t.text.size() > best->text.size())) {
                best = t;
            }
        }
        if (best && start >= covered_until) {
            covered_until = start + best->text.size();
            found.push_back(*best);
        }
    }
    if (found.empty()) {
        return failure(fmt::format("no date in the name \"{}\"; --time-from-name reads {}: give "
                                   "the time with --time instead",
                                   name, k_name_time_shapes));
    }
    if (found.size() > 1) {
        std::vector<std::string> texts;
        for (const auto& t : found) {
            texts.push_back("\"" + t.text + "\"");
        }
        return failure(fmt::format("the name \"{}\" holds {} dates ({}): it is not clear which "
                                   "is the time of the copy; give it with --time instead",
                                   name, found.size(), fmt::join(texts, ", ")));
    }
    return found.front();
}

} // namespace mv::ctl
