#pragma once
// Local-time calendar arithmetic for retention, shaped to give exactly the answers restic
// (and so Go's time package) gives: bucket keys read the wall clock of the process's time
// zone, ISO weeks follow ISO 8601, and "N days before" moves the calendar date, not N*24 h.

#include <cstdint>

#include "util/time.hpp"

namespace mv::retention {

/// The calendar buckets of the keep_hourly … keep_yearly rules.
enum class Bucket { hourly, daily, weekly, monthly, yearly };

/// An instant broken down in local time, as far as the buckets need it.
struct LocalTime {
    int year = 0;     ///< e.g. 2021
    int month = 0;    ///< 1..12
    int day = 0;      ///< 1..31
    int hour = 0;     ///< 0..23 (an hour repeated when clocks go back is one bucket)
    int iso_year = 0; ///< the ISO 8601 week-numbering year (2021-01-03 → 2020)
    int iso_week = 0; ///< 1..53 (2021-01-03 → 53, 2021-01-04 → 1)
};

/// `time` in the process's local time zone (util/local_time.hpp: call reload_time_zone()
/// after changing TZ).
LocalTime to_local(SystemTime time);

/// The key that identifies `local`'s bucket: YYYYMMDDHH, YYYYMMDD, ISO YYYYWW, YYYYMM or
/// YYYY. Two instants share a bucket exactly when their keys are equal.
std::int64_t bucket_key(const LocalTime& local, Bucket bucket);

/// `time` moved back `days` calendar days in local time at the same wall-clock time, as
/// Go's time.AddDate does (restic's keep_within): across a DST change this is 24 h ± 1 h
/// per day. A wall time that does not exist or exists twice on the target date resolves
/// as Go resolves it.
SystemTime subtract_local_days(SystemTime time, std::int64_t days);

} // namespace mv::retention
