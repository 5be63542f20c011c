// Jobs for one model never overlap; automatic jobs coalesce; stop answers everyone.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "daemon/job_queue.hpp"
#include "tests/lib/wait.hpp"

namespace mv::daemon {
namespace {

using namespace std::chrono_literals;

TEST(JobQueue, SameKeyNeverRunsTwiceAtOnce) {
    JobQueue queue("test", 4);
    std::atomic<int> running{0};
    std::atomic<int> max_running{0};
    std::atomic<int> done{0};
    for (int i = 0; i < 8; ++i) {
        queue.submit("model", [&](const std::stop_token&) {
            max_running = std::max(max_running.load(), ++running);
            std::this_thread::sleep_for(5ms);
            --running;
            ++done;
        });
    }
    ASSERT_TRUE(test::wait_until([&] { return done == 8; }));
    EXPECT_EQ(max_running, 1);
}

TEST(JobQueue, DifferentKeysRunInParallel) {
    JobQueue queue("test", 2);
    std::atomic<int> running{0};
    std::atomic<bool> overlapped{false};
    std::atomic<int> done{0};
    for (const char* key : {"a", "b"}) {
        queue.submit(key, [&](const std::stop_token&) {
            if (++running == 2) {
                overlapped = true;
            }
            test::wait_until([&] { return overlapped.load(); }, 2s, 1ms);
            --running;
            ++done;
        });
    }
    ASSERT_TRUE(test::wait_until([&] { return done == 2; }));
    EXPECT_TRUE(overlapped);
}

TEST(JobQueue, WaitingAutomaticJobsCoalesce) {
    JobQueue queue("test", 1);
    std::atomic<bool> release{false};
    std::atomic<bool> blocking{false};
    std::atomic<int> runs{0};
    queue.submit("blocker", [&](const std::stop_token&) {
        blocking = true;
        test::wait_until([&] { return release.load(); }, 5s, 1ms);
    });
    ASSERT_TRUE(test::wait_until([&] { return blocking.load(); }));
    EXPECT_TRUE(queue.submit(
        "m", [&](const std::stop_token&) { ++runs; }, Coalesce::yes));
    EXPECT_FALSE(queue.submit(
        "m", [&](const std::stop_token&) { ++runs; }, Coalesce::yes));
    EXPECT_TRUE(queue.submit(
        "m", [&](const std::stop_token&) { ++runs; }, Coalesce::no));
    EXPECT_EQ(queue.snapshot().queued.size(), 2u);
    release = true;
    ASSERT_TRUE(test::wait_until([&] { return runs == 2; }));
}

TEST(JobQueue, StopRunsWaitingJobsWithAStoppedToken) {
    std::atomic<int> stopped_runs{0};
    {
        JobQueue queue("test", 1);
        std::atomic<bool> started{false};
        queue.submit("long", [&](const std::stop_token& stop) {
            started = true;
            test::wait_until([&] { return stop.stop_requested(); }, 10s, 1ms);
            stopped_runs += stop.stop_requested() ? 1 : 0;
        });
        queue.submit("waiting", [&](const std::stop_token& stop) {
            stopped_runs += stop.stop_requested() ? 1 : 0;
        });
        ASSERT_TRUE(test::wait_until([&] { return started.load(); }));
        queue.stop();
        EXPECT_FALSE(queue.submit("late", [](const std::stop_token&) {}));
    } // joins
    EXPECT_EQ(stopped_runs, 2);
}

} // namespace
} // namespace mv::daemon
