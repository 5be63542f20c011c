#pragma once
// Time: the injectable Clock (wall and steady time) and the text forms the vault and CLI
// use. Nothing outside util/time.cpp reads a clock (scripts/check_sources.sh enforces it):
// code that needs the time is handed a Clock, so tests can drive it.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace mv {

using SystemTime = std::chrono::system_clock::time_point;
/// Monotonic time, for intervals and deadlines: it does not jump when the wall clock is set.
using SteadyTime = std::chrono::steady_clock::time_point;

/// Source of time. Production code uses SystemClock; tests a fake
/// (tests/lib/fake_clock.hpp) so that schedules, retention and waits are deterministic.
class Clock {
public:
    virtual ~Clock() = default;
    /// Wall-clock time: what versions, schedules and retention are stamped with.
    virtual SystemTime now() const = 0;
    /// Monotonic time: how long something took or has waited.
    virtual SteadyTime steady_now() const = 0;
};

/// std::chrono::system_clock and steady_clock behind the Clock interface.
class SystemClock final : public Clock {
public:
    SystemTime now() const override;
    SteadyTime steady_now() const override;
};

/// The process's SystemClock, for the few places that are not handed a Clock (the
/// client's progress bar and age columns, the systemd protocol adapters).
const Clock& system_clock();

/// `time` in microseconds of CLOCK_MONOTONIC, the unit of systemd's protocols
/// (MONOTONIC_USEC, sd_bus timeouts). steady_clock is CLOCK_MONOTONIC on Linux.
std::uint64_t monotonic_usec(SteadyTime time);

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
