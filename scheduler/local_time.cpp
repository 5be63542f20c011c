#include "scheduler/local_time.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <optional>

namespace mv::scheduler {

namespace {

// UTC offsets lie within -12h..+14h, so the instant showing a given wall time is within
// this distance of that wall time read as UTC.
constexpr std::time_t k_search_radius = std::time_t{27} * 3600;

std::time_t to_time_t(SystemTime time) {
    return std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
}

SystemTime from_time_t(std::time_t seconds) {
    return SystemTime{std::chrono::seconds{seconds}};
}

std::tm wall_fields(LocalDate date, config::TimeOfDay time) {
    std::tm tm{};
    tm.tm_year = date.year - 1900;
    tm.tm_mon = date.month - 1;
    tm.tm_mday = date.day;
    tm.tm_hour = time.hour;
    tm.tm_min = time.minute;
    return tm;
}

// The local wall clock at `seconds`, written as if it were UTC: a number that orders
// wall times and can be compared with a wanted wall time.
std::time_t wall_key(std::time_t seconds) {
    std::tm tm{};
    ::localtime_r(&seconds, &tm);
    return ::timegm(&tm);
}

// The earliest instant that shows exactly `wanted` (a wall key), trying both DST
// interpretations: mktime's own tm_isdst=-1 guess picks an arbitrary side of a fall-back
// overlap and silently shifts times inside a gap, so each answer is checked by converting
// it back to local time.
std::optional<std::time_t> exact_instant(const std::tm& fields, std::time_t wanted) {
    std::optional<std::time_t> best;
    for (const int isdst : std::array{-1, 0, 1}) {
        std::tm tm = fields;
        tm.tm_isdst = isdst;
        const std::time_t candidate = ::mktime(&tm);
        if (wall_key(candidate) == wanted && (!best || candidate < *best)) {
            best = candidate;
        }
    }
    return best;
}

// The first instant whose wall time is later than `wanted`, for a wall time that does not
// exist. Bisection keeps wall_key(low) < wanted <= wall_key(high), so it ends on an instant
// where the wall clock jumps over `wanted`: the end of the gap.
std::time_t end_of_gap(std::time_t wanted) {
    std::time_t low = wanted - k_search_radius;
    std::time_t high = wanted + k_search_radius;
    while (high - low > 1) {
        const std::time_t middle = low + (high - low) / 2;
        if (wall_key(middle) >= wanted) {
            high = middle;
        } else {
            low = middle;
        }
    }
    return high;
}

} // namespace

LocalDate local_date(SystemTime time) {
    const std::time_t seconds = to_time_t(time);
    std::tm tm{};
    ::localtime_r(&seconds, &tm);
    return LocalDate{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

LocalDate add_days(LocalDate date, int days) {
    using namespace std::chrono;
    const sys_days moved = sys_days{year{date.year} / month{static_cast<unsigned>(date.month)} /
                                    day{static_cast<unsigned>(date.day)}} +
                           std::chrono::days{days};
    const year_month_day result{moved};
    return LocalDate{static_cast<int>(result.year()), static_cast<int>(unsigned{result.month()}),
                     static_cast<int>(unsigned{result.day()})};
}

SystemTime resolve_local(LocalDate date, config::TimeOfDay time) {
    std::tm fields = wall_fields(date, time);
    std::tm normalised = fields;
    const std::time_t wanted = ::timegm(&normalised);
    if (const auto exact = exact_instant(fields, wanted)) {
        return from_time_t(*exact);
    }
    return from_time_t(end_of_gap(wanted));
}

} // namespace mv::scheduler
