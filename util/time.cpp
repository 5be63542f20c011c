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

Result<SystemTime> parse_time(std::string_view text) {
    const auto invalid = [&] {
        return failure(fmt::format("invalid time \"{}\": expected ISO 8601 such as "
                                   "2026-11-22, 2026-11-22T08:30 or 2026-11-22T08:30:00+01:00",
                                   text));
    };
    std::size_t pos = 0;
    int year = 0;
    int month = 0;
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    long long nanos = 0;
    if (!read_number(text, pos, 4, year) || pos >= text.size() || text[pos++] != '-' ||
        !read_number(text, pos, 2, month) || pos >= text.size() || text[pos++] != '-' ||
        !read_number(text, pos, 2, day)) {
        return invalid();
    }
    if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
        ++pos;
        if (!read_number(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':' ||
            !read_number(text, pos, 2, minute)) {
            return invalid();
        }
        if (pos < text.size() && text[pos] == ':') {
            ++pos;
            if (!read_number(text, pos, 2, second)) {
                return invalid();
            }
            if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
                ++pos;
                long long scale = 100'000'000;
                const std::size_t start = pos;
                while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                    nanos += (text[pos] - '0') * scale;
                    scale /= 10;
                    ++pos;
                }
                if (pos == start) {
                    return invalid();
                }
            }
        }
    }
    int offset_minutes = 0;
    if (pos < text.size()) {
        if (text[pos] == 'Z' || text[pos] == 'z') {
            ++pos;
        } else if (text[pos] == '+' || text[pos] == '-') {
            const int sign = text[pos] == '-' ? -1 : 1;
            ++pos;
            int offset_hours = 0;
            int offset_mins = 0;
            if (!read_number(text, pos, 2, offset_hours)) {
                return invalid();
            }
            if (pos < text.size() && text[pos] == ':') {
                ++pos;
            }
            if (pos < text.size() && !read_number(text, pos, 2, offset_mins)) {
                return invalid();
            }
            offset_minutes = sign * (offset_hours * 60 + offset_mins);
        }
    }
    if (pos != text.size() || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 ||
        second > 60) {
        return invalid();
    }
    if (year < k_first_year || year > k_last_year) {
        return failure(fmt::format("time \"{}\" is out of range: modelvault handles times from "
                                   "{} to {}",
                                   text, k_first_year, k_last_year));
    }
    const std::chrono::year_month_day date{std::chrono::year{year},
                                           std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok()) {
        return invalid();
    }
    const auto since_epoch = std::chrono::sys_days{date}.time_since_epoch() +
                             std::chrono::hours{hour} + std::chrono::minutes{minute} +
                             std::chrono::seconds{second} - std::chrono::minutes{offset_minutes};
    return SystemTime{std::chrono::duration_cast<SystemTime::duration>(
        since_epoch + std::chrono::nanoseconds{nanos})};
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
