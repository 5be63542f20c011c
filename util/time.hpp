#pragma once
// Wall-clock time: the injectable Clock and the text forms the vault and CLI use.

#include <chrono>
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

/// Parses ISO 8601: "2026-11-22", "2026-11-22T08:34", "2026-11-22 08:34:12.5",
/// with an optional "Z" or "+HH:MM"/"-HHMM" offset. Without an offset the time is UTC.
Result<SystemTime> parse_time(std::string_view text);

/// "2.1 s", "850 ms", "3 min 12 s", "2 h 5 min", "3 d 4 h".
std::string format_elapsed(std::chrono::milliseconds elapsed);

/// "1.5 GiB", "812 MiB", "17 B".
std::string format_bytes(unsigned long long bytes);

} // namespace mv
