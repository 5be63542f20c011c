#include "scheduler/next_fire.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "config/duration.hpp"
#include "scheduler/local_time.hpp"

namespace mv::scheduler {

namespace {

// One clock tick: "after `last`" means "at or after last + k_tick".
constexpr SystemTime::duration k_tick{1};

// Occurrences of a date's `at` times can land on a neighbouring day's instants (a gap
// moves them forward), so a search looks at the day before and a few days after.
constexpr int k_days_before = 1;
constexpr int k_days_after = 2;

// The earliest `at` occurrence at or after `from`.
SystemTime first_at_from(const std::vector<config::TimeOfDay>& at, SystemTime from) {
    const LocalDate today = local_date(from);
    SystemTime best = SystemTime::max();
    for (int offset = -k_days_before; offset <= k_days_after; ++offset) {
        const LocalDate date = add_days(today, offset);
        for (const config::TimeOfDay& time : at) {
            const SystemTime occurrence = resolve_local(date, time);
            if (occurrence >= from && occurrence < best) {
                best = occurrence;
            }
        }
    }
    return best;
}

SystemTime next_every(std::chrono::milliseconds every, std::optional<SystemTime> last,
                      SystemTime now) {
    const SystemTime from = last.value_or(now) + every;
    // Past means the daemon was down (or busy) when it was due: run once, now.
    return std::max(from, now);
}

SystemTime next_at(const std::vector<config::TimeOfDay>& at, std::optional<SystemTime> last,
                   SystemTime now) {
    // Local minutes start on UTC minutes: every zone in use today has a whole-minute offset.
    const SystemTime minute_start = std::chrono::floor<std::chrono::minutes>(now);
    if (last && first_at_from(at, *last + k_tick) < minute_start) {
        return now; // an occurrence passed while the daemon was down
    }
    const SystemTime from = last ? std::max(minute_start, *last + k_tick) : minute_start;
    return std::max(first_at_from(at, from), now);
}

std::string format_time_of_day(config::TimeOfDay time) {
    return fmt::format("{:02}:{:02}", time.hour, time.minute);
}

} // namespace

SystemTime next_fire(const config::ScheduleTrigger& schedule, std::optional<SystemTime> last_fire,
                     SystemTime now) {
    if (last_fire && *last_fire > now) {
        last_fire = now; // the wall clock stepped back
    }
    SystemTime next = SystemTime::max();
    if (schedule.every && schedule.every->count() > 0) {
        next = std::min(next, next_every(*schedule.every, last_fire, now));
    }
    if (!schedule.at.empty()) {
        next = std::min(next, next_at(schedule.at, last_fire, now));
    }
    return next;
}

std::string describe(const config::ScheduleTrigger& schedule) {
    std::vector<std::string> parts; // at most two: the every part and the at part
    if (schedule.every) {
        parts.push_back("every " + config::format_duration(*schedule.every));
    }
    if (!schedule.at.empty()) {
        std::string times = format_time_of_day(schedule.at.front());
        for (std::size_t i = 1; i < schedule.at.size(); ++i) {
            times += i + 1 == schedule.at.size() ? " and " : ", ";
            times += format_time_of_day(schedule.at[i]);
        }
        parts.push_back("at " + times);
    }
    if (parts.empty()) {
        return "never";
    }
    return parts.size() == 1 ? parts[0] : parts[0] + ", " + parts[1];
}

} // namespace mv::scheduler
