#pragma once
// Local calendar maths in the process time zone (TZ) for the daily `at` times of a
// schedule, over util/local_time.hpp: resolves the two DST corner cases explicitly
// instead of trusting mktime's guess.

#include "config/model.hpp"
#include "util/time.hpp"

namespace mv::scheduler {

/// A day of the proleptic Gregorian calendar.
struct LocalDate {
    int year = 1970;
    int month = 1; ///< 1..12
    int day = 1;   ///< 1..31
    friend bool operator==(const LocalDate&, const LocalDate&) = default;
};

/// The calendar date that the local wall clock (process TZ) shows at `time`.
LocalDate local_date(SystemTime time);

/// `date` moved by `days` (negative moves back); month, leap-day and year ends roll over.
LocalDate add_days(LocalDate date, int days);

/// The instant at which the local wall clock (process TZ) shows `time` on `date`:
/// - a time that occurs once: that instant;
/// - a nonexistent time (in a spring-forward gap): the first instant after the gap, e.g.
///   02:30 on the day Europe/Berlin springs forward resolves to 03:00 CEST;
/// - an ambiguous time (fall back repeats an hour): its first occurrence.
/// After changing TZ call reload_time_zone() (util/local_time.hpp) before this.
SystemTime resolve_local(LocalDate date, config::TimeOfDay time);

} // namespace mv::scheduler
