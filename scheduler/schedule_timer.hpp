#pragma once
// Drives one schedule trigger with an Asio timer. When to fire is decided by the pure
// rules of scheduler/next_fire.hpp; this class only waits, re-reads the injected Clock and
// calls back, so the daemon can keep one per watch and show next() in `status`.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/system_timer.hpp>

#include "config/model.hpp"
#include "util/time.hpp"

namespace mv::scheduler {

/// Calls `on_fire` each time its schedule fires, on the io_context's thread. It never
/// sleeps longer than `max_sleep` before reading the Clock again, and it decides by the
/// Clock, not by the timer: a wake-up before the planned instant re-arms, a wall-clock
/// step forward fires once (catch-up), a step back re-plans from the new time.
/// Not thread-safe: call it from the io_context's thread (or before the loop runs).
class ScheduleTimer {
public:
    using FireHandler = std::function<void(SystemTime fired_at)>;

    /// Upper bound of one wait before the Clock is read again.
    static constexpr std::chrono::milliseconds k_default_max_sleep = std::chrono::minutes(1);

    /// `last_fire` is the last fire persisted by a previous run (nullopt = never); `clock`
    /// must outlive this object. Throws Error(invalid_argument) when `schedule` has no
    /// rule, a non-positive `every`, or an `at` time outside 00:00..23:59.
    ScheduleTimer(boost::asio::io_context& io, const Clock& clock, config::ScheduleTrigger schedule,
                  std::optional<SystemTime> last_fire, FireHandler on_fire,
                  std::chrono::milliseconds max_sleep = k_default_max_sleep);
    ScheduleTimer(const ScheduleTimer&) = delete;
    ScheduleTimer& operator=(const ScheduleTimer&) = delete;

    /// Plans the next fire from the clock and arms the timer (restarts it when running).
    /// A fire that is already due (catch-up) is called back from the loop, not from here.
    void start();

    /// Stops firing; a wake-up already queued is dropped. start() may be called again.
    /// Safe to call from `on_fire`, which may also destroy this object.
    void cancel();

    /// The planned next fire while started; nullopt before start() and after cancel().
    std::optional<SystemTime> next() const { return m_next; }

    /// The last fire: the constructor's `last_fire` until this timer fires itself.
    std::optional<SystemTime> last_fire() const { return m_last_fire; }

private:
    void arm();
    void on_wake();

    const Clock& m_clock;
    config::ScheduleTrigger m_schedule;
    std::optional<SystemTime> m_last_fire;
    FireHandler m_on_fire;
    std::chrono::milliseconds m_max_sleep;
    boost::asio::system_timer m_timer;
    std::optional<SystemTime> m_next;
    SystemTime m_armed_at; // the Clock when last armed, to notice a step back
    // Queued wake-ups hold a weak copy; cancel() and destruction replace or drop it, so a
    // stale wake-up can tell without touching this object.
    std::shared_ptr<int> m_generation = std::make_shared<int>(0);
};

} // namespace mv::scheduler
