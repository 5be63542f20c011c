// When a webhook delivery is done, retried or given up (docs/NOTIFICATIONS.md, "Delivery").
#include <gtest/gtest.h>

#include "notify/delivery_policy.hpp"

namespace mv::notify {
namespace {

using namespace std::chrono_literals;

TEST(DeliveryPolicy, AnswersAreSortedIntoDoneRetryAndRejected) {
    EXPECT_EQ(classify_answer(200), DeliveryVerdict::delivered);
    EXPECT_EQ(classify_answer(204), DeliveryVerdict::delivered);
    EXPECT_EQ(classify_answer(std::nullopt), DeliveryVerdict::retry) << "refused or timed out";
    EXPECT_EQ(classify_answer(500), DeliveryVerdict::retry);
    EXPECT_EQ(classify_answer(503), DeliveryVerdict::retry);
    EXPECT_EQ(classify_answer(408), DeliveryVerdict::retry);
    EXPECT_EQ(classify_answer(429), DeliveryVerdict::retry);
    EXPECT_EQ(classify_answer(301), DeliveryVerdict::rejected) << "redirects are not followed";
    EXPECT_EQ(classify_answer(400), DeliveryVerdict::rejected);
    EXPECT_EQ(classify_answer(401), DeliveryVerdict::rejected);
    EXPECT_EQ(classify_answer(404), DeliveryVerdict::rejected);
}

TEST(DeliveryPolicy, RetriesDoubleUpToFiveMinutes) {
    EXPECT_EQ(retry_delay(1, 0), 1s);
    EXPECT_EQ(retry_delay(2, 0), 2s);
    EXPECT_EQ(retry_delay(3, 0), 4s);
    EXPECT_EQ(retry_delay(9, 0), 256s);
    EXPECT_EQ(retry_delay(10, 0), 5min);
    EXPECT_EQ(retry_delay(1000, 0), 5min);
    EXPECT_EQ(retry_delay(0, 0), 1s);
}

TEST(DeliveryPolicy, JitterStretchesByAtMostAFifth) {
    EXPECT_EQ(retry_delay(1, 0.5), 1100ms);
    EXPECT_LT(retry_delay(10, 0.999), 360s);
    EXPECT_EQ(retry_delay(1, 7.0), 1200ms) << "out of range is clamped";
}

TEST(DeliveryPolicy, DeliveriesExpireAfterADay) {
    const SystemTime created{std::chrono::hours(1000)};
    EXPECT_FALSE(expired(created, created + 23h));
    EXPECT_FALSE(expired(created, created + 24h));
    EXPECT_TRUE(expired(created, created + 24h + 1s));
}

} // namespace
} // namespace mv::notify
