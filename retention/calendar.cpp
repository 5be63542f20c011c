#include "retention/calendar.hpp"

#include <chrono>

#include "util/local_time.hpp"

namespace mv::retention {

namespace {

using std::chrono::sys_days;
using std::chrono::sys_seconds;

// Whole seconds of `time`, rounded towards the past so that 1969-12-31T23:59:59.5 stays
// in 1969; the sub-second rest is carried separately.
sys_seconds floor_seconds(SystemTime time) {
    return std::chrono::floor<std::chrono::seconds>(time);
}

LocalFields local_at(sys_seconds seconds) {
    return local_fields(seconds.time_since_epoch().count());
}

// The UTC offset (seconds east) in force at instant `seconds`.
std::int64_t utc_offset_at(sys_seconds seconds) {
    return local_at(seconds).utc_offset;
}

sys_days civil_date(int year, int month, int day) {
    return sys_days{std::chrono::year{year} / std::chrono::month{static_cast<unsigned>(month)} /
                    std::chrono::day{static_cast<unsigned>(day)}};
}

} // namespace

LocalTime to_local(SystemTime time) {
    const LocalFields fields = local_at(floor_seconds(time));
    LocalTime local;
    local.year = fields.year;
    local.month = fields.month;
    local.day = fields.day;
    local.hour = fields.hour;

    // ISO 8601: a week belongs to the year that holds its Thursday, and week 1 is the week
    // with that year's first Thursday.
    const sys_days date = civil_date(local.year, local.month, local.day);
    const unsigned weekday = std::chrono::weekday{date}.iso_encoding(); // Monday = 1
    const sys_days thursday = date + std::chrono::days{4 - static_cast<int>(weekday)};
    const std::chrono::year_month_day thursday_ymd{thursday};
    local.iso_year = static_cast<int>(thursday_ymd.year());
    const sys_days jan1 = sys_days{thursday_ymd.year() / std::chrono::January / 1};
    local.iso_week = static_cast<int>((thursday - jan1).count() / 7 + 1);
    return local;
}

std::int64_t bucket_key(const LocalTime& local, Bucket bucket) {
    const std::int64_t year = local.year;
    switch (bucket) {
    case Bucket::hourly:
        return year * 1'000'000 + local.month * 10'000 + local.day * 100 + local.hour;
    case Bucket::daily:
        return year * 10'000 + local.month * 100 + local.day;
    case Bucket::weekly:
        return std::int64_t{local.iso_year} * 100 + local.iso_week;
    case Bucket::monthly:
        return year * 100 + local.month;
    case Bucket::yearly:
        return year;
    }
    return 0;
}

SystemTime subtract_local_days(SystemTime time, std::int64_t days) {
    const sys_seconds seconds = floor_seconds(time);
    const SystemTime::duration rest = time - SystemTime{seconds};
    const LocalFields wall = local_at(seconds);

    // The target wall-clock time, first read as if it were UTC …
    const sys_days date = civil_date(wall.year, wall.month, wall.day) - std::chrono::days{days};
    const sys_seconds as_utc = date + std::chrono::hours{wall.hour} +
                               std::chrono::minutes{wall.minute} +
                               std::chrono::seconds{wall.second};
    // … then shifted by the offset, resolved the way Go's time.Date does: take the offset
    // in force at the naive instant, and if the corrected instant lies under a different
    // offset, use that one. This decides the skipped and the doubled hour of a DST change
    // exactly as restic does (a skipped 02:30 becomes 01:30 standard time).
    const std::int64_t first = utc_offset_at(as_utc);
    const std::int64_t offset = utc_offset_at(as_utc - std::chrono::seconds{first});
    return SystemTime{as_utc - std::chrono::seconds{offset}} + rest;
}

} // namespace mv::retention
