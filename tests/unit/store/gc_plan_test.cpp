// Collection planning as a pure function.
#include <algorithm>

#include <gtest/gtest.h>

#include "store/gc_plan.hpp"

namespace mv::store {
namespace {

ChunkId chunk_named(const std::string& text) {
    return Digest::sha256_of(as_bytes(text));
}

IndexedPack pack_named(const std::string& name, const std::vector<std::string>& chunks,
                       std::uint32_t blob_size = 1000) {
    IndexedPack pack{chunk_named(name), 8, {}};
    for (const auto& chunk : chunks) {
        pack.blobs.push_back({chunk_named(chunk), BlobCodec::raw,
                              static_cast<std::uint32_t>(pack.size), blob_size, blob_size});
        pack.size += blob_size;
    }
    pack.size += 16 + 48 * chunks.size();
    return pack;
}

std::vector<ChunkId> sorted_ids(const std::vector<std::string>& names) {
    std::vector<ChunkId> ids;
    for (const auto& name : names) {
        ids.push_back(chunk_named(name));
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

TEST(GcPlan, RemovesUnusedPacksRepacksMostlyGarbageKeepsTheRest) {
    IndexTable table;
    table.add(chunk_named("f"),
              {pack_named("dead", {"x1", "x2"}), pack_named("mostly", {"a", "x3", "x4"}),
               pack_named("used", {"b", "c", "x5"})});
    std::vector<ChunkId> missing;
    const auto usage = pack_usage(table, sorted_ids({"a", "b", "c"}), {}, missing);
    EXPECT_TRUE(missing.empty());
    const auto plan = plan_collection(usage, {0.5, 0, 16});
    ASSERT_EQ(plan.remove.size(), 1u);
    EXPECT_EQ(table.packs()[plan.remove[0]].id, chunk_named("dead"));
    ASSERT_EQ(plan.repack.size(), 1u);
    EXPECT_EQ(table.packs()[plan.repack[0]].id, chunk_named("mostly"));
    EXPECT_EQ(plan.copy_bytes, 1000u);
    EXPECT_EQ(plan.freed_bytes(), table.packs()[0].size + table.packs()[1].size - 1000);
}

TEST(GcPlan, APackWhoseBlobsAreAllNeededIsNotRepackedHoweverSmall) {
    IndexTable table;
    table.add(chunk_named("f"), {pack_named("tiny", {"config"}, 20)});
    std::vector<ChunkId> missing;
    const auto usage = pack_usage(table, sorted_ids({"config"}), {}, missing);
    EXPECT_TRUE(plan_collection(usage, {0.5, 0, 16}).empty()); // 20 of its 92 bytes are used
}

TEST(GcPlan, PinnedChunksCountAsUsedAndMissingOnesAreReported) {
    IndexTable table;
    table.add(chunk_named("f"), {pack_named("p", {"pinned", "x"})});
    std::vector<ChunkId> missing;
    const auto usage = pack_usage(table, sorted_ids({"lost"}), sorted_ids({"pinned"}), missing);
    EXPECT_EQ(missing, sorted_ids({"lost"}));
    ASSERT_EQ(usage.size(), 1u);
    EXPECT_EQ(usage[0].used_blobs, 1u);
    EXPECT_TRUE(plan_collection(usage, {0.6, 0, 16}).empty());
}

TEST(GcPlan, ADuplicatedChunkIsUsedOnceAndManySmallPacksAreMerged) {
    IndexTable table;
    std::vector<IndexedPack> packs;
    std::vector<std::string> all;
    for (int i = 0; i < 16; ++i) {
        packs.push_back(
            pack_named("small" + std::to_string(i), {"c" + std::to_string(i), "dup"}, 10));
        all.push_back("c" + std::to_string(i));
    }
    all.push_back("dup");
    table.add(chunk_named("f"), packs);
    std::vector<ChunkId> missing;
    const auto usage = pack_usage(table, sorted_ids(all), {}, missing);
    std::uint32_t used = 0;
    for (const auto& u : usage) {
        used += u.used_blobs;
    }
    EXPECT_EQ(used, 17u);
    const auto plan = plan_collection(usage, {1.01, 4u << 20, 16}); // small packs only
    EXPECT_EQ(plan.repack.size(), 16u);
    EXPECT_TRUE(plan.remove.empty());
}

} // namespace
} // namespace mv::store
