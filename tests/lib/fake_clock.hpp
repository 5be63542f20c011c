#pragma once
// A Clock whose time only moves when the test says so.

#include <chrono>

#include "util/time.hpp"

namespace mv::test {

/// Steady time moves only with advance(): set() is an admin setting the wall clock.
class FakeClock final : public Clock {
public:
    explicit FakeClock(SystemTime start = SystemTime{std::chrono::hours(24 * 20000)})
        : m_now(start) {}
    SystemTime now() const override { return m_now; }
    SteadyTime steady_now() const override { return m_steady; }
    void set(SystemTime time) { m_now = time; }
    void advance(std::chrono::system_clock::duration by) {
        m_now += by;
        m_steady += std::chrono::duration_cast<SteadyTime::duration>(by);
    }

private:
    SystemTime m_now;
    SteadyTime m_steady{std::chrono::hours(1)};
};

} // namespace mv::test
