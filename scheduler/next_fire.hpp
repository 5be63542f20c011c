#pragma once
// When a schedule trigger (docs/CONFIG.md `triggers`) fires next: pure functions of the schedule,
// the last fire and the current time, so that every rule is testable without waiting. The Asio side
// lives in scheduler/schedule_timer.hpp.
//
// Rules, with `last` = the last time the schedule fired by either rule (nullopt = never):
// - every: `last + every`; never fired: `now + every`. Intervals are absolute time, so a
//   DST change does not stretch or shrink them.
// - at: daily local times in the process time zone (TZ). The next fire is the earliest
//   occurrence that is after `last` and not before the start of the current minute (so a
//   daemon started at 02:00:30 still runs the 02:00 job, and a timer that wakes a little
//   late still counts as on time). A nonexistent local time (spring forward) occurs at the
//   first instant after the gap; an ambiguous one (fall back) only at its first occurrence.
// - both set: the earlier of the two.
// - catch-up: when a run was due while the daemon was down (`last + every` is past, or an
//   `at` occurrence lies between `last` and the current minute), the schedule fires once
//   at `now` and then continues from that fire: never a burst of missed runs (like
//   systemd's Persistent=true).
// - a `last` later than `now` means the wall clock stepped back; it counts as `now`, so a
//   clock step never postpones a run by more than one interval or one day.

#include <optional>
#include <string>

#include "config/model.hpp"
#include "util/time.hpp"

namespace mv::scheduler {

/// The next instant `schedule` fires, by the rules above; never earlier than `now`
/// (a result equal to `now` means "due now"). SystemTime::max() when the schedule has no
/// rule. A non-positive `every` is ignored (the config requires at least 1s).
SystemTime next_fire(const config::ScheduleTrigger& schedule, std::optional<SystemTime> last_fire,
                     SystemTime now);

/// The schedule in words for logs and `status`: "every 6h, at 02:00 and 14:00",
/// "every 30m", "at 02:00, 08:00 and 20:00", or "never" when no rule is set.
std::string describe(const config::ScheduleTrigger& schedule);

} // namespace mv::scheduler
