#include "util/local_time.hpp"

#include <ctime>

#include <fmt/format.h>

namespace mv {

LocalFields local_fields(std::int64_t seconds) {
    const auto t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    return LocalFields{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,  tm.tm_hour,
                       tm.tm_min,         tm.tm_sec,     tm.tm_gmtoff};
}

std::int64_t local_instant(const LocalFields& fields, DstHint hint) {
    std::tm tm{};
    tm.tm_year = fields.year - 1900;
    tm.tm_mon = fields.month - 1;
    tm.tm_mday = fields.day;
    tm.tm_hour = fields.hour;
    tm.tm_min = fields.minute;
    tm.tm_sec = fields.second;
    tm.tm_isdst = static_cast<int>(hint);
    return ::mktime(&tm);
}

void reload_time_zone() {
    ::tzset();
}

std::string format_local(SystemTime time) {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
    const LocalFields f = local_fields(seconds);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", f.year, f.month, f.day, f.hour,
                       f.minute, f.second);
}

} // namespace mv
