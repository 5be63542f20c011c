#pragma once
// Wall-clock time: the injectable Clock and the text forms the vault and CLI use.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace mv {

using SystemTime = std::chrono::system_clock::time_point;

/// Source of wall-clock time. Production code uses SystemClock; tests a fake
/// (tests/lib/fake_clock.hpp) so that schedules and retention are deterministic.
class Clock {
public:
    virtual ~Clock() = default;
    virtual SystemTime now() const = 0;
};

/// std::chrono::system_clock behind the Clock interface.
class SystemClock final : public Clock {
public:
    SystemTime now() const override { return std::chrono::system_clock::now(); }
};

/// "2026-11-22T08:34:12Z" (UTC, whole seconds).
std::string format_utc(SystemTime time);

/// "20261122T083412Z": the stamp in vault file names (sorts like the time).
std::string format_stamp(SystemTime time);

/// The times a SystemTime holds: nanoseconds in 64 bits reach from 1677-09-21 to
/// 2262-04-11. parse_time() accepts the whole years inside that span.
inline constexpr int k_first_year = 1678;
inline constexpr int k_last_year = 2261;

/// Parses ISO 8601: "2026-11-22", "2026-11-22T08:34", "2026-11-22 08:34:12.5",
/// with an optional "Z" or "+HH:MM"/"-HHMM" offset. Without an offset the time is UTC.
/// Refuses times outside k_first_year..k_last_year (they would wrap around) with a
/// message that says so.
Result<SystemTime> parse_time(std::string_view text);

/// Nanoseconds since the epoch of a file time, saturated at the ends of what a SystemTime
/// holds (a file stamped in the year 3000 must not wrap around to 1830).
std::int64_t saturating_ns(std::int64_t seconds, long nanoseconds);

/// "2.1 s", "850 ms", "3 min 12 s", "2 h 5 min", "3 d 4 h".
std::string format_elapsed(std::chrono::milliseconds elapsed);

/// "1.5 GiB", "812 MiB", "17 B".
std::string format_bytes(unsigned long long bytes);

} // namespace mv
