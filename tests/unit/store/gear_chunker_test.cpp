// Content-defined chunking: bounds, determinism, and the property it exists for — an
// insertion moves only the cuts near it.
#include <numeric>

#include <gtest/gtest.h>

#include "store/gear_chunker.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/unit/store/test_data.hpp"

namespace mv::store {
namespace {

const CdcParams k_small{4096, 16384, 65536};

TEST(GearChunker, CutsRespectMinimumAndMaximumAndCoverTheInput) {
    const std::string data = mv::test::random_bytes(2 << 20, 7);
    const auto lengths = cut_lengths(test::bytes_of(data), k_small);
    ASSERT_GT(lengths.size(), 20u);
    EXPECT_EQ(std::accumulate(lengths.begin(), lengths.end(), std::size_t{0}), data.size());
    for (std::size_t i = 0; i + 1 < lengths.size(); ++i) {
        EXPECT_GE(lengths[i], k_small.min);
        EXPECT_LE(lengths[i], k_small.max);
    }
    // Random data: the average lands near the requested one.
    const double average = static_cast<double>(data.size()) / static_cast<double>(lengths.size());
    EXPECT_GT(average, k_small.avg * 0.5);
    EXPECT_LT(average, k_small.avg * 2.0);
}

TEST(GearChunker, ConstantDataIsCutAtTheMaximum) {
    const std::string zeros(300000, '\0');
    const auto lengths = cut_lengths(test::bytes_of(zeros), k_small);
    ASSERT_EQ(lengths.size(), 5u);
    EXPECT_EQ(lengths[0], k_small.max);
    EXPECT_EQ(lengths.back(), 300000 - 4 * k_small.max);
}

TEST(GearChunker, AnInsertionOnlyMovesTheCutsNearIt) {
    const std::string data = mv::test::random_bytes(1 << 20, 3);
    std::string edited = data;
    edited.insert(400000, "a few inserted bytes");
    const auto before = cut_lengths(test::bytes_of(data), k_small);
    const auto after = cut_lengths(test::bytes_of(edited), k_small);
    // Cut positions before the insertion stay; after it they move by its length.
    const std::size_t inserted = edited.size() - data.size();
    std::vector<std::size_t> cuts_before;
    std::size_t at = 0;
    for (const auto length : before) {
        at += length;
        cuts_before.push_back(at);
    }
    std::size_t moved = 0;
    at = 0;
    for (const auto length : after) {
        at += length;
        const std::size_t original = at <= 400000 ? at : at - inserted;
        moved += std::count(cuts_before.begin(), cuts_before.end(), original) == 0 ? 1 : 0;
    }
    EXPECT_LE(moved, 2u) << "more than the chunks around the insertion moved";
}

TEST(GearChunker, ScanningInPiecesFindsTheSameCutsAsAtOnce) {
    const std::string data = mv::test::random_bytes(600000, 9);
    const auto expected = cut_lengths(test::bytes_of(data), k_small);
    GearScanner scanner(k_small);
    std::vector<std::size_t> found;
    std::size_t start = 0;
    std::size_t available = 0;
    while (start < data.size()) {
        available = std::min(data.size(), available + 1000); // 1000 bytes arrive at a time
        const auto cut = scanner.scan(test::bytes_of(data).subspan(start, available - start),
                                      available == data.size());
        if (cut) {
            found.push_back(*cut);
            start += *cut;
            available = std::max(available, start);
            scanner.reset();
        }
    }
    EXPECT_EQ(found, expected);
}

TEST(GearChunker, TheGearTableIsFixed) {
    // docs/FORMAT.md names this generator; a different table would change every cut.
    EXPECT_EQ(gear_table()[0], gear_table()[0]);
    const auto first = cut_lengths(test::bytes_of(mv::test::random_bytes(200000, 1)), k_small);
    const auto again = cut_lengths(test::bytes_of(mv::test::random_bytes(200000, 1)), k_small);
    EXPECT_EQ(first, again);
    EXPECT_NE(gear_table()[0], gear_table()[1]);
}

} // namespace
} // namespace mv::store
