#include "scheduler/local_time.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>

#include "util/local_time.hpp"

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

LocalFields wall_fields(LocalDate date, config::TimeOfDay time) {
    return LocalFields{date.year, date.month, date.day, time.hour, time.minute, 0, 0};
}

// `fields` read as if they were UTC: a number that orders wall times.
std::time_t as_utc(const LocalFields& fields) {
    using namespace std::chrono;
    const sys_days date{year{fields.year} / month{static_cast<unsigned>(fields.month)} /
                        day{static_cast<unsigned>(fields.day)}};
    return (date + hours{fields.hour} + minutes{fields.minute} + seconds{fields.second})
        .time_since_epoch()
        .count();
}

// The local wall clock at `seconds`, written as if it were UTC: a number that orders
// wall times and can be compared with a wanted wall time.
std::time_t wall_key(std::time_t seconds) {
    return as_utc(local_fields(seconds));
}

// The earliest instant that shows exactly `wanted` (a wall key), trying both DST
// interpretations: mktime's own guess picks an arbitrary side of a fall-back overlap and
// silently shifts times inside a gap, so each answer is checked by converting it back to
// local time.
std::optional<std::time_t> exact_instant(const LocalFields& fields, std::time_t wanted) {
    std::optional<std::time_t> best;
    for (const DstHint hint : {DstHint::guess, DstHint::standard, DstHint::daylight}) {
        const std::time_t candidate = local_instant(fields, hint);
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
    const LocalFields fields = local_fields(to_time_t(time));
    return LocalDate{fields.year, fields.month, fields.day};
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
    const LocalFields fields = wall_fields(date, time);
    const std::time_t wanted = as_utc(fields);
    if (const auto exact = exact_instant(fields, wanted)) {
        return from_time_t(*exact);
    }
    return from_time_t(end_of_gap(wanted));
}

} // namespace mv::scheduler
