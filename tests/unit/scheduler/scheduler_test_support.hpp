#pragma once

#include <vector>

#include "config/model.hpp"
// Shared helpers of the scheduler tests: readable instants and a fixture that switches
// the process time zone for one test and restores it afterwards.

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "util/expected.hpp"
#include "util/time.hpp"

namespace mv::test {

/// An instant written in ISO 8601 with its UTC offset, e.g. "2024-03-31T03:00+02:00", so
/// that expectations say which local time they mean without using the code under test.
/// A schedule with only `at` times.
inline config::ScheduleTrigger at(std::vector<config::TimeOfDay> times) {
    config::ScheduleTrigger schedule;
    schedule.at = std::move(times);
    return schedule;
}

/// A schedule with only an `every` interval.
inline config::ScheduleTrigger every(config::Duration interval) {
    config::ScheduleTrigger schedule;
    schedule.every = interval;
    return schedule;
}

inline SystemTime instant(std::string_view iso) {
    return value_or_throw(parse_time(iso), "test instant: ");
}

/// "2024-03-31T01:00:00Z +0.250000000s": exact to the tick, for failure messages.
inline std::string show(SystemTime time) {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
    const auto rest = std::chrono::duration_cast<std::chrono::nanoseconds>(time - seconds);
    return fmt::format("{} +0.{:09}s", format_utc(time), rest.count());
}

/// Compares two instants and prints both readably when they differ.
#define EXPECT_TIME_EQ(actual, expected)                                                           \
    EXPECT_EQ((actual), (expected))                                                                \
        << "actual   " << ::mv::test::show(actual) << "\nexpected " << ::mv::test::show(expected)

/// A test that runs in a named time zone: call use_zone() first (wrapped in
/// ASSERT_NO_FATAL_FAILURE); the previous TZ is restored when the test ends.
class ZonedTest : public ::testing::Test {
protected:
    void use_zone(const std::string& zone) {
        const std::filesystem::path file = std::filesystem::path("/usr/share/zoneinfo") / zone;
        ASSERT_TRUE(std::filesystem::is_regular_file(file))
            << file.string()
            << " is missing: these tests need the time zone database, run `apt-get install "
               "tzdata`";
        if (!m_switched) {
            const char* previous = std::getenv("TZ");
            m_previous = previous ? std::optional<std::string>(previous) : std::nullopt;
            m_switched = true;
        }
        ::setenv("TZ", zone.c_str(), 1);
        ::tzset(); // localtime_r does not re-read TZ by itself
    }

    void TearDown() override {
        if (!m_switched) {
            return;
        }
        if (m_previous) {
            ::setenv("TZ", m_previous->c_str(), 1);
        } else {
            ::unsetenv("TZ");
        }
        ::tzset();
    }

private:
    bool m_switched = false;
    std::optional<std::string> m_previous;
};

} // namespace mv::test
