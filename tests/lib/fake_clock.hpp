#pragma once
// A Clock whose time only moves when the test says so.

#include <chrono>

#include "util/time.hpp"

namespace mv::test {

class FakeClock final : public Clock {
public:
    explicit FakeClock(SystemTime start = SystemTime{std::chrono::hours(24 * 20000)})
        : m_now(start) {}
    SystemTime now() const override { return m_now; }
    void set(SystemTime time) { m_now = time; }
    void advance(std::chrono::system_clock::duration by) { m_now += by; }

private:
    SystemTime m_now;
};

} // namespace mv::test
