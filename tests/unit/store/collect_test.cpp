// Collection: what no version references goes, what one references or a backup in
// flight has pinned stays, and mostly-garbage packs are repacked.
#include <gtest/gtest.h>

#include "store/byte_buffer.hpp"
#include "store/chunk_reader.hpp"
#include "store/store.hpp"
#include "store/write_session.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/unit/store/test_data.hpp"

namespace mv::store {
namespace {

namespace stdfs = std::filesystem;

class CollectTest : public ::testing::Test {
protected:
    void SetUp() override {
        stdfs::create_directories(dir / "tmp");
        store = Store::open({dir / "root", dir / "tmp", {}, true, 32u << 20});
    }
    ChunkId commit(const std::string& chunk) {
        auto session = store->begin_write();
        const auto id = session->put(test::bytes_of(chunk), {ValueType::float32, 0}, scratch).id;
        session->commit();
        session->finish();
        return id;
    }
    Store::CollectionReport collect(std::vector<ChunkId> keep) {
        std::sort(keep.begin(), keep.end());
        return store->collect([&] { return keep; }, {});
    }
    bool readable(const ChunkId& id, std::uint64_t size) {
        ChunkReader reader(*store);
        ByteBuffer out;
        try {
            reader.read(id, size, out);
            return true;
        } catch (const Error&) {
            return false;
        }
    }

    mv::test::TempDir dir{"collect"};
    std::unique_ptr<Store> store;
    PutScratch scratch;
    const std::string a = test::float32_weights(200000, 1);
    const std::string b = test::float32_weights(200000, 2);
};

TEST_F(CollectTest, UnreferencedPacksAreRemovedAndTheFreedBytesCounted) {
    const auto ida = commit(a);
    const auto idb = commit(b);
    const auto before = store->stats().stored_bytes;
    const auto report = collect({ida});
    EXPECT_EQ(report.packs_removed, 1u);
    EXPECT_EQ(report.freed_bytes, before - store->stats().stored_bytes);
    EXPECT_TRUE(readable(ida, a.size()));
    EXPECT_FALSE(store->locate(idb));
    // Reopening sees the same: the index files were rewritten.
    store.reset();
    store = Store::open({dir / "root", dir / "tmp", {}, true, 32u << 20});
    EXPECT_TRUE(readable(ida, a.size()));
    EXPECT_FALSE(store->locate(idb));
}

TEST_F(CollectTest, MostlyGarbagePacksAreRepacked) {
    auto session = store->begin_write();
    const auto keep = session->put(test::bytes_of(a), {ValueType::float32, 0}, scratch).id;
    for (unsigned i = 0; i < 3; ++i) {
        session->put(test::bytes_of(test::float32_weights(200000, 10 + i)), {ValueType::float32, 0},
                     scratch);
    }
    session->commit();
    session->finish();
    const auto before = store->stats().stored_bytes;
    const auto report = collect({keep});
    EXPECT_EQ(report.packs_repacked, 1u);
    EXPECT_GT(report.freed_bytes, before / 2);
    EXPECT_TRUE(readable(keep, a.size()));
    EXPECT_EQ(store->stats().chunks, 1u);
}

TEST_F(CollectTest, ChunksPinnedByABackupInFlightStay) {
    const auto ida = commit(a);
    // A backup finds `a` already stored (and pins it) while retention drops its last
    // version: the collection must keep it for the backup's manifest.
    auto backup = store->begin_write();
    EXPECT_FALSE(backup->put(test::bytes_of(a), {ValueType::float32, 0}, scratch).stored);
    EXPECT_EQ(collect({}).packs_removed, 0u);
    EXPECT_TRUE(readable(ida, a.size()));
    backup->commit();
    backup->finish();
    EXPECT_EQ(collect({}).packs_removed, 1u);
}

// Two backups that store the same chunk at once each keep a copy (docs/FORMAT.md
// "Index"); so does a collection cut short after its repack. When the plan counts the
// copy in a mostly-garbage pack (repacked) and finds the other pack unused (removed),
// the repack must copy the chunk: its other copy goes too. Both commit orders, as the
// plan's choice of copy follows the index.
TEST_F(CollectTest, AChunkStoredTwiceSurvivesWhenOnePackIsRepackedAndTheOtherRemoved) {
    for (const bool garbage_first : {true, false}) {
        SCOPED_TRACE(garbage_first ? "mostly-garbage pack committed first" : "committed second");
        ChunkId ida;
        {
            auto mostly_garbage = store->begin_write();
            auto only_a = store->begin_write();
            ida = mostly_garbage->put(test::bytes_of(a), {ValueType::float32, 0}, scratch).id;
            for (unsigned i = 0; i < 3; ++i) {
                mostly_garbage->put(test::bytes_of(test::float32_weights(200000, 20 + i)),
                                    {ValueType::float32, 0}, scratch);
            }
            ASSERT_TRUE(only_a->put(test::bytes_of(a), {ValueType::float32, 0}, scratch).stored);
            for (auto* session : garbage_first ? std::vector{&mostly_garbage, &only_a}
                                               : std::vector{&only_a, &mostly_garbage}) {
                (*session)->commit();
                (*session)->finish();
            }
        }
        collect({ida});
        EXPECT_TRUE(readable(ida, a.size()));
        EXPECT_EQ(store->stats().chunks, 1u);
        store.reset();
        store = Store::open({dir / "root", dir / "tmp", {}, true, 32u << 20});
        EXPECT_TRUE(readable(ida, a.size()));
        collect({}); // empty the store for the other order
    }
}

// A pack of one tiny chunk is mostly header and trailer: the plan repacks it, and the
// copy is byte for byte the same pack, with the same name. Removing "the old pack" must
// not remove the only copy.
TEST_F(CollectTest, ARepackThatMakesTheSamePackKeepsIt) {
    const auto tiny = commit("a config of a few bytes");
    const auto report = collect({tiny});
    EXPECT_TRUE(readable(tiny, 23));
    EXPECT_EQ(report.freed_bytes, 0u);
    store.reset();
    store = Store::open({dir / "root", dir / "tmp", {}, true, 32u << 20});
    EXPECT_TRUE(readable(tiny, 23));
}

TEST_F(CollectTest, NothingIsRemovedWhileAReferencedChunkIsMissing) {
    commit(a);
    const auto report = collect({Digest::sha256_of(as_bytes("never stored"))});
    EXPECT_EQ(report.missing.size(), 1u);
    EXPECT_EQ(report.packs_removed, 0u);
    EXPECT_EQ(store->stats().packs, 1u);
}

} // namespace
} // namespace mv::store
