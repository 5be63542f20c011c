// Fixed cuts of tensors: relative to each tensor's start, so an unchanged tensor keeps its
// chunks when a tensor before it changes size.
#include <gtest/gtest.h>

#include "store/chunk_plan.hpp"

namespace mv::store {
namespace {

constexpr std::uint64_t MiB = 1u << 20;

Region tensor(std::uint64_t offset, std::uint64_t length, std::uint64_t prefix = 0,
              ValueType type = ValueType::float32) {
    return {offset, length, prefix, type, true};
}

void expect_tiles(const std::vector<Segment>& segments, std::uint64_t size) {
    std::uint64_t at = 0;
    for (const auto& s : segments) {
        EXPECT_EQ(s.offset, at);
        at += s.length;
    }
    EXPECT_EQ(at, size);
}

TEST(ChunkPlan, SmallTensorIsOneChunkLargeOnesAreCutEvery4MiBFromTheirValues) {
    FileLayout layout{"x",
                      {{0, 1000, 0, ValueType::unknown, false},
                       tensor(1000, 3 * MiB),
                       tensor(1000 + 3 * MiB, 64 + 10 * MiB, 64)}};
    const auto segments = plan_segments(layout);
    expect_tiles(segments, 1000 + 13 * MiB + 64);
    ASSERT_EQ(segments.size(), 5u);
    EXPECT_TRUE(segments[0].content_defined);
    EXPECT_EQ(segments[1].length, 3 * MiB);
    // 10 MiB of values after a 64-byte prefix: 4 MiB + prefix, 4 MiB, 2 MiB.
    EXPECT_EQ(segments[2].length, 64 + 4 * MiB);
    EXPECT_EQ(segments[2].prefix, 64u);
    EXPECT_EQ(segments[3].length, 4 * MiB);
    EXPECT_EQ(segments[3].prefix, 0u);
    EXPECT_EQ(segments[4].length, 2 * MiB);
}

TEST(ChunkPlan, ATensorOverFourMiBIsCutEvenUnderEight) {
    FileLayout layout{"x", {tensor(0, 6 * MiB)}};
    const auto segments = plan_segments(layout);
    expect_tiles(segments, 6 * MiB);
    ASSERT_EQ(segments.size(), 2u);
    EXPECT_EQ(segments[0].length, 4 * MiB);
    EXPECT_EQ(segments[1].length, 2 * MiB);
}

TEST(ChunkPlan, AShortTailJoinsThePieceBeforeIt) {
    FileLayout layout{"x", {tensor(0, 8 * MiB + 100)}};
    const auto segments = plan_segments(layout);
    ASSERT_EQ(segments.size(), 2u);
    EXPECT_EQ(segments[1].length, 4 * MiB + 100);
}

TEST(ChunkPlan, RunsOfSmallContiguousTensorsShareAChunk) {
    FileLayout layout{"x",
                      {tensor(0, 100000), tensor(100000, 100000), tensor(200000, 400000),
                       tensor(600000, 1000, 0, ValueType::bfloat16),
                       tensor(601000, 1000, 8, ValueType::bfloat16)}};
    const auto segments = plan_segments(layout);
    expect_tiles(segments, 602000);
    ASSERT_EQ(segments.size(), 3u);
    EXPECT_EQ(segments[0].length, 600000u); // three float32 tensors until 512 KiB is reached
    EXPECT_EQ(segments[1].type, ValueType::bfloat16);
    EXPECT_EQ(segments[2].prefix, 8u); // a gap ends a group
}

TEST(ChunkPlan, UnchangedTensorKeepsItsCutsWhenAnEarlierOneGrows) {
    FileLayout before{"x", {tensor(0, 2 * MiB), tensor(2 * MiB, 12 * MiB)}};
    FileLayout after{"x", {tensor(0, 3 * MiB), tensor(3 * MiB, 12 * MiB)}};
    const auto a = plan_segments(before);
    const auto b = plan_segments(after);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 1; i < a.size(); ++i) {
        EXPECT_EQ(a[i].length, b[i].length);
        EXPECT_EQ(a[i].offset + MiB, b[i].offset);
    }
}

} // namespace
} // namespace mv::store
