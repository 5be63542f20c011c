#include "scheduler/schedule_timer.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "scheduler/next_fire.hpp"
#include "util/error.hpp"

namespace mv::scheduler {

namespace {

void check_schedule(const config::ScheduleTrigger& schedule) {
    if (!schedule.every && schedule.at.empty()) {
        throw Error(R"(schedule trigger: neither "every" nor "at" is set)",
                    ErrorCode::invalid_argument);
    }
    if (schedule.every && schedule.every->count() <= 0) {
        throw Error(fmt::format("schedule trigger: \"every\" must be positive, got {} ms",
                                schedule.every->count()),
                    ErrorCode::invalid_argument);
    }
    for (const config::TimeOfDay& time : schedule.at) {
        if (time.hour < 0 || time.hour > 23 || time.minute < 0 || time.minute > 59) {
            throw Error(fmt::format("schedule trigger: \"at\" time {}:{} is outside 00:00..23:59",
                                    time.hour, time.minute),
                        ErrorCode::invalid_argument);
        }
    }
}

} // namespace

ScheduleTimer::ScheduleTimer(boost::asio::io_context& io, const Clock& clock,
                             config::ScheduleTrigger schedule, std::optional<SystemTime> last_fire,
                             FireHandler on_fire, std::chrono::milliseconds max_sleep)
    : m_clock(clock), m_schedule(std::move(schedule)), m_last_fire(last_fire),
      m_on_fire(std::move(on_fire)), m_max_sleep(max_sleep), m_timer(io) {
    check_schedule(m_schedule);
}

void ScheduleTimer::start() {
    cancel();
    const SystemTime now = m_clock.now();
    m_next = next_fire(m_schedule, m_last_fire, now);
    arm();
}

void ScheduleTimer::cancel() {
    m_timer.cancel();
    m_generation = std::make_shared<int>(0);
    m_next.reset();
}

void ScheduleTimer::arm() {
    const SystemTime now = m_clock.now();
    m_armed_at = now;
    const auto wait =
        std::clamp<SystemTime::duration>(*m_next - now, SystemTime::duration::zero(), m_max_sleep);
    m_timer.expires_after(wait);
    m_timer.async_wait([this, generation = std::weak_ptr<int>(m_generation)](
                           const boost::system::error_code& error) {
        // Check before touching `this`: an expired generation may mean it is gone.
        if (error || generation.expired()) {
            return;
        }
        on_wake();
    });
}

void ScheduleTimer::on_wake() {
    const SystemTime now = m_clock.now();
    if (now < m_armed_at) {
        // The wall clock stepped back: the planned instant may now be much further away
        // than one interval, so plan again from the new time.
        m_next = next_fire(m_schedule, m_last_fire, now);
        spdlog::debug("schedule {}: wall clock stepped back, next run at {}", describe(m_schedule),
                      format_utc(*m_next));
    }
    if (now >= *m_next) {
        // Plan the next fire before calling back, so that next() is current inside on_fire.
        m_last_fire = now;
        m_next = next_fire(m_schedule, now, m_clock.now());
        const std::weak_ptr<int> generation = m_generation;
        m_on_fire(now);
        if (generation.expired()) {
            return; // on_fire cancelled, restarted or destroyed this timer
        }
    }
    arm();
}

} // namespace mv::scheduler
