// The durable webhook queue (docs/NOTIFICATIONS.md, "Delivery"): survives a restart,
// bounded in entries and bytes, drops the oldest when full, and cleans what a crash left.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "notify/delivery_queue.hpp"
#include "tests/lib/temp_dir.hpp"

namespace mv::notify {
namespace {

using test::TempDir;

QueuedDelivery delivery(const std::string& id, std::size_t body_size = 10) {
    return {0,
            "https://x/hook",
            "backup_created",
            id,
            SystemTime(std::chrono::seconds(1795000000)),
            std::string(body_size, 'b')};
}

std::vector<std::string> ids(const DeliveryQueue& queue) {
    std::vector<std::string> result;
    for (const auto& [sequence, entry] : queue.entries()) {
        result.push_back(entry.delivery);
    }
    return result;
}

TEST(DeliveryQueue, WhatIsQueuedSurvivesAReopenInOrder) {
    TempDir dir("queue");
    {
        DeliveryQueue queue(dir / "webhooks");
        queue.push(delivery("a"));
        queue.push(delivery("b"));
        queue.push(delivery("c"));
        queue.remove(queue.entries().begin()->first); // "a" was delivered
    }
    DeliveryQueue again(dir / "webhooks");
    EXPECT_THAT(ids(again), ::testing::ElementsAre("b", "c"));
    EXPECT_EQ(again.entries().begin()->second.body, std::string(10, 'b'));
    EXPECT_EQ(again.entries().begin()->second.created,
              SystemTime(std::chrono::seconds(1795000000)));
    // New entries come after the old ones, whatever was removed.
    again.push(delivery("d"));
    EXPECT_THAT(ids(again), ::testing::ElementsAre("b", "c", "d"));
}

TEST(DeliveryQueue, WhenFullTheOldestAreDropped) {
    TempDir dir("queue");
    DeliveryQueue queue(dir / "q", 3, 1000);
    for (const char* id : {"1", "2", "3"}) {
        EXPECT_TRUE(queue.push(delivery(id)).empty());
    }
    const auto dropped = queue.push(delivery("4"));
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].delivery, "1");
    EXPECT_THAT(ids(queue), ::testing::ElementsAre("2", "3", "4"));
    // Bytes count too: a big delivery pushes out as many as it needs.
    const auto big = queue.push(delivery("5", 975));
    EXPECT_EQ(big.size(), 3u);
    EXPECT_THAT(ids(queue), ::testing::ElementsAre("5"));
    EXPECT_EQ(queue.bytes(), delivery_size(delivery("5", 975)));
    // And the files follow.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "q"),
                            std::filesystem::directory_iterator()),
              1);
}

TEST(DeliveryQueue, DamagedFilesAndLeftoversAreRemovedAtOpen) {
    TempDir dir("queue");
    {
        DeliveryQueue queue(dir / "q");
        queue.push(delivery("good"));
    }
    test::write_file(dir / "q" / "00000000000000000007.json", "{\"url\": 3");
    test::write_file(dir / "q" / ".00000000000000000008.json.123.tmp", "half");
    test::write_file(dir / "q" / "notes.txt", "?");
    DeliveryQueue queue(dir / "q");
    EXPECT_THAT(ids(queue), ::testing::ElementsAre("good"));
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "q"),
                            std::filesystem::directory_iterator()),
              1);
}

} // namespace
} // namespace mv::notify
