#pragma once
// The process's time zone (TZ): the one module that reads it. GCC 12 has no std::chrono
// time zones, so this wraps localtime_r and mktime. The calendar maths built on it lives
// with its users: schedules' daily `at` times (scheduler/local_time.hpp) and retention's
// buckets (retention/calendar.hpp). scripts/check_sources.sh keeps every other file off
// the C time-zone functions.

#include <cstdint>
#include <string>

#include "util/time.hpp"

namespace mv {

/// A wall-clock reading in the local time zone.
struct LocalFields {
    int year = 1970;
    int month = 1;               ///< 1..12
    int day = 1;                 ///< 1..31
    int hour = 0;                ///< 0..23
    int minute = 0;              ///< 0..59
    int second = 0;              ///< 0..60
    std::int64_t utc_offset = 0; ///< seconds east of UTC in force at that instant
};

/// What the local wall clock shows `seconds` after the epoch.
LocalFields local_fields(std::int64_t seconds);

/// Whether the caller's wall time is meant in standard or daylight-saving time.
enum class DstHint { guess = -1, standard = 0, daylight = 1 };

/// mktime: the instant (seconds since the epoch) at which the wall clock shows `fields`
/// (utc_offset ignored; out-of-range fields roll over), read with `hint`. The answer for a
/// time that does not exist or exists twice is the C library's: check it with
/// local_fields().
std::int64_t local_instant(const LocalFields& fields, DstHint hint);

/// Re-reads TZ from the environment (tzset); localtime_r does not do it by itself.
void reload_time_zone();

/// "2026-11-22 09:34:12": `time` on the local wall clock.
std::string format_local(SystemTime time);

} // namespace mv
