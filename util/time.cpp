#include "util/time.hpp"

#include <array>
#include <charconv>
#include <ctime>
#include <limits>

#include <fmt/format.h>

namespace mv {

SystemTime SystemClock::now() const {
    return std::chrono::system_clock::now();
}

SteadyTime SystemClock::steady_now() const {
    return std::chrono::steady_clock::now();
}

const Clock& system_clock() {
    static const SystemClock clock;
    return clock;
}

std::uint64_t monotonic_usec(SteadyTime time) {
    const auto usec =
        std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
    return usec < 0 ? 0 : static_cast<std::uint64_t>(usec);
}

namespace {

std::tm to_utc_tm(SystemTime time) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm tm{};
    ::gmtime_r(&seconds, &tm);
    return tm;
}

// Reads exactly `digits` decimal digits at text[pos].
bool read_number(std::string_view text, std::size_t& pos, int digits, int& value) {
    if (pos + static_cast<std::size_t>(digits) > text.size()) {
        return false;
    }
    const char* begin = text.data() + pos;
    const char* end = begin + digits;
    for (const char* p = begin; p != end; ++p) {
        if (*p < '0' || *p > '9') {
            return false;
        }
    }
    std::from_chars(begin, end, value);
    pos += static_cast<std::size_t>(digits);
    return true;
}

} // namespace

std::string format_utc(SystemTime time) {
    const std::tm tm = to_utc_tm(time);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string format_stamp(SystemTime time) {
    const std::tm tm = to_utc_tm(time);
    return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

namespace {

// The fields of an ISO 8601 time as written; parse_time() checks their ranges.
struct IsoFields {
    int year = 0;
    int month = 0;
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    long long nanos = 0;
    int offset_minutes = 0;
};

bool read_char(std::string_view text, std::size_t& pos, char wanted) {
    if (pos < text.size() && text[pos] == wanted) {
        ++pos;
        return true;
    }
    return false;
}

// "2026-11-22"
bool read_date(std::string_view text, std::size_t& pos, IsoFields& f) {
    return read_number(text, pos, 4, f.year) && read_char(text, pos, '-') &&
           read_number(text, pos, 2, f.month) && read_char(text, pos, '-') &&
           read_number(text, pos, 2, f.day);
}

// "T08:30", "T08:30:00", "T08:30:00.5" (also 't' or ' ' for 'T', ',' for '.'), or nothing.
bool read_time_of_day(std::string_view text, std::size_t& pos, IsoFields& f) {
    if (!(read_char(text, pos, 'T') || read_char(text, pos, 't') || read_char(text, pos, ' '))) {
        return true;
    }
    if (!read_number(text, pos, 2, f.hour) || !read_char(text, pos, ':') ||
        !read_number(text, pos, 2, f.minute)) {
        return false;
    }
    if (!read_char(text, pos, ':')) {
        return true;
    }
    if (!read_number(text, pos, 2, f.second)) {
        return false;
    }
    if (!(read_char(text, pos, '.') || read_char(text, pos, ','))) {
        return true;
    }
    long long scale = 100'000'000;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        f.nanos += (text[pos] - '0') * scale;
        scale /= 10;
        ++pos;
    }
    return pos != start;
}

// "Z", "+01:00", "-0130", "+01", or nothing (UTC).
bool read_offset(std::string_view text, std::size_t& pos, IsoFields& f) {
    if (read_char(text, pos, 'Z') || read_char(text, pos, 'z') || pos >= text.size()) {
        return true;
    }
    const int sign = text[pos] == '-' ? -1 : 1;
    if (!(read_char(text, pos, '+') || read_char(text, pos, '-'))) {
        return true; // not an offset: the caller finds the text unfinished
    }
    int hours = 0;
    int minutes = 0;
    if (!read_number(text, pos, 2, hours)) {
        return false;
    }
    read_char(text, pos, ':');
    if (pos < text.size() && !read_number(text, pos, 2, minutes)) {
        return false;
    }
    f.offset_minutes = sign * (hours * 60 + minutes);
    return true;
}

} // namespace

Result<SystemTime> parse_time(std::string_view text) {
    const auto invalid = [&] {
        return failure(fmt::format("invalid time \"{}\": expected ISO 8601 such as "
                                   "2026-11-22, 2026-11-22T08:30 or 2026-11-22T08:30:00+01:00",
                                   text));
    };
    std::size_t pos = 0;
    IsoFields f;
    if (!read_date(text, pos, f) || !read_time_of_day(text, pos, f) || !read_offset(text, pos, f) ||
        pos != text.size() || f.month < 1 || f.month > 12 || f.day < 1 || f.hour > 23 ||
        f.minute > 59 || f.second > 60) {
        return invalid();
    }
    if (f.year < k_first_year || f.year > k_last_year) {
        return failure(fmt::format("time \"{}\" is out of range: modelvault handles times from "
                                   "{} to {}",
                                   text, k_first_year, k_last_year));
    }
    const std::chrono::year_month_day date{std::chrono::year{f.year},
                                           std::chrono::month{static_cast<unsigned>(f.month)},
                                           std::chrono::day{static_cast<unsigned>(f.day)}};
    if (!date.ok()) {
        return invalid();
    }
    const auto since_epoch = std::chrono::sys_days{date}.time_since_epoch() +
                             std::chrono::hours{f.hour} + std::chrono::minutes{f.minute} +
                             std::chrono::seconds{f.second} -
                             std::chrono::minutes{f.offset_minutes};
    return SystemTime{std::chrono::duration_cast<SystemTime::duration>(
        since_epoch + std::chrono::nanoseconds{f.nanos})};
}

std::int64_t saturating_ns(std::int64_t seconds, long nanoseconds) {
    constexpr std::int64_t k_max = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t k_min = std::numeric_limits<std::int64_t>::min();
    constexpr std::int64_t k_per_second = 1'000'000'000;
    if (seconds >= k_max / k_per_second) {
        return k_max;
    }
    if (seconds <= k_min / k_per_second) {
        return k_min;
    }
    return seconds * k_per_second + nanoseconds;
}

std::string format_elapsed(std::chrono::milliseconds elapsed) {
    const long long ms = elapsed.count();
    if (ms < 1000) {
        return fmt::format("{} ms", ms);
    }
    if (ms < 60'000) {
        return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0);
    }
    const long long seconds = ms / 1000;
    if (seconds < 3600) {
        return fmt::format("{} min {} s", seconds / 60, seconds % 60);
    }
    if (seconds < 86400) {
        return fmt::format("{} h {} min", seconds / 3600, (seconds % 3600) / 60);
    }
    return fmt::format("{} d {} h", seconds / 86400, (seconds % 86400) / 3600);
}

std::string format_bytes(unsigned long long bytes) {
    constexpr std::array<const char*, 6> units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024) {
        return fmt::format("{} B", bytes);
    }
    auto value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < units.size()) {
        value /= 1024.0;
        ++unit;
    }
    return value < 10.0 ? fmt::format("{:.1f} {}", value, units[unit])
                        : fmt::format("{:.0f} {}", value, units[unit]);
}

} // namespace mv
