// The store end to end: sessions, deduplication, durability across reopening, verified
// reads, and recovery from a crash between a pack and its index.
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "store/byte_buffer.hpp"
#include "store/chunk_reader.hpp"
#include "store/store.hpp"
#include "store/write_session.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/lib/wait.hpp"
#include "tests/unit/store/test_data.hpp"
#include "util/error.hpp"

namespace mv::store {
namespace {

namespace stdfs = std::filesystem;

class StoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        stdfs::create_directories(dir / "tmp");
        reopen();
    }
    void reopen(std::uint64_t pack_target = 32u << 20) {
        store.reset();
        store = Store::open({dir / "root", dir / "tmp", {}, true, pack_target});
    }
    std::vector<stdfs::path> files_under(const std::string& sub) {
        std::vector<stdfs::path> files;
        for (const auto& e : stdfs::recursive_directory_iterator(dir / "root" / sub)) {
            if (e.is_regular_file()) {
                files.push_back(e.path());
            }
        }
        return files;
    }
    PutResult put(WriteSession& session, const std::string& chunk,
                  ValueType type = ValueType::unknown) {
        return session.put(test::bytes_of(chunk), {type, 0}, scratch);
    }
    std::string read(const ChunkId& id, std::uint64_t size) {
        ChunkReader reader(*store);
        ByteBuffer out;
        reader.read(id, size, out);
        return {out.begin(), out.end()};
    }

    mv::test::TempDir dir{"store"};
    std::unique_ptr<Store> store;
    PutScratch scratch;
    const std::string weights = test::float32_weights(300000);
    const std::string other = test::float32_weights(300000, 2);
};

TEST_F(StoreTest, CommittedChunksAreReadBackVerifiedAndSurviveReopening) {
    auto session = store->begin_write();
    const auto a = put(*session, weights, ValueType::float32);
    const auto b = put(*session, "a small chunk of text, stored as it is");
    EXPECT_TRUE(a.stored);
    EXPECT_EQ(a.codec, BlobCodec::planes);
    EXPECT_LT(a.stored_bytes, weights.size());
    // Nothing is visible before the commit, not even in packs/.
    EXPECT_FALSE(store->locate(a.id));
    EXPECT_TRUE(files_under("packs").empty());
    session->commit();
    session->finish();
    EXPECT_EQ(read(a.id, weights.size()), weights);
    EXPECT_EQ(files_under("packs").size(), 1u);
    EXPECT_EQ(files_under("index").size(), 1u);
    EXPECT_TRUE(stdfs::is_empty(dir / "tmp"));
    reopen();
    EXPECT_EQ(read(b.id, 38), "a small chunk of text, stored as it is");
    EXPECT_EQ(store->stats().chunks, 2u);
}

TEST_F(StoreTest, KnownChunksAreNotStoredAgain) {
    auto first = store->begin_write();
    put(*first, weights, ValueType::float32);
    first->commit();
    first->finish();
    auto second = store->begin_write();
    EXPECT_FALSE(put(*second, weights, ValueType::float32).stored); // in the store
    EXPECT_TRUE(put(*second, other, ValueType::float32).stored);
    EXPECT_FALSE(put(*second, other, ValueType::float32).stored); // in this session
    EXPECT_EQ(second->new_chunks(), 1u);
    second->commit();
    second->finish();
    EXPECT_EQ(store->stats().chunks, 2u);
}

TEST_F(StoreTest, AnAbandonedSessionLeavesNothing) {
    {
        auto session = store->begin_write();
        put(*session, weights, ValueType::float32);
    }
    EXPECT_TRUE(stdfs::is_empty(dir / "tmp"));
    EXPECT_TRUE(files_under("packs").empty());
    EXPECT_EQ(store->stats().chunks, 0u);
}

TEST_F(StoreTest, LargeSessionsWriteSeveralPacks) {
    reopen(1u << 20);
    auto session = store->begin_write();
    for (unsigned i = 0; i < 6; ++i) {
        put(*session, test::float32_weights(100000, i + 10), ValueType::float32);
    }
    session->commit();
    session->finish();
    EXPECT_GE(files_under("packs").size(), 2u);
    EXPECT_EQ(files_under("index").size(), 1u);
}

std::size_t open_files() {
    return static_cast<std::size_t>(
        std::distance(stdfs::directory_iterator("/proc/self/fd"), stdfs::directory_iterator()));
}

// Sealed packs wait for their fsync a few at a time (write-back overlaps the backup), and
// all of them are durable and readable once committed.
TEST_F(StoreTest, SealedPacksWaitingForTheDiskAreFewAndAllCommitted) {
    reopen(64u << 10);
    const std::size_t before = open_files();
    auto session = store->begin_write();
    std::vector<std::pair<ChunkId, std::string>> chunks;
    for (unsigned i = 0; i < 20; ++i) {
        auto chunk = test::float32_weights(30000, i + 100); // over 64 KiB stored: a pack each
        chunks.emplace_back(put(*session, chunk, ValueType::float32).id, std::move(chunk));
        EXPECT_LE(open_files(), before + k_packs_in_write_back + 1) << "after chunk " << i;
    }
    session->commit();
    session->finish();
    EXPECT_EQ(files_under("packs").size(), 20u);
    EXPECT_TRUE(stdfs::is_empty(dir / "tmp"));
    EXPECT_EQ(open_files(), before);
    reopen();
    for (const auto& [id, chunk] : chunks) {
        EXPECT_EQ(read(id, chunk.size()), chunk);
    }
}

// With the syncer held back, a worker goes on until more than four sealed packs wait for
// it, then waits; a pack the syncer cannot make durable fails the session.
TEST_F(StoreTest, WorkersWaitForASlowDiskAndItsFailureFailsTheBackup) {
    reopen(64u << 10);
    auto session = store->begin_write();
    std::mutex mutex;
    std::condition_variable released;
    bool disk_ready = false;
    session->set_pack_sync([&](PackWriter& pack) {
        std::unique_lock lock(mutex);
        released.wait(lock, [&] { return disk_ready; });
        pack.make_durable();
    });
    std::atomic<unsigned> stored = 0;
    std::jthread worker([&] {
        PutScratch own;
        for (unsigned i = 0; i < 8; ++i) {
            session->put(test::bytes_of(test::float32_weights(30000, i + 200)),
                         {ValueType::float32, 0}, own);
            ++stored;
        }
    });
    // One pack in the syncer's hands, four waiting: the fifth put's seal makes five.
    // No ASSERT before the release: the syncer would wait for ever and the test hang.
    EXPECT_TRUE(mv::test::wait_until([&] { return stored == 4; }, std::chrono::seconds(10)));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(stored, 4u);
    {
        std::lock_guard lock(mutex);
        disk_ready = true;
    }
    released.notify_all();
    worker.join();
    EXPECT_EQ(stored, 8u);
    session->commit();
    session->finish();
    EXPECT_EQ(files_under("packs").size(), 8u);

    auto failing = store->begin_write();
    failing->set_pack_sync([](PackWriter&) { throw Error("the disk is gone", ErrorCode::io); });
    try {
        for (unsigned i = 0; i < 8; ++i) {
            put(*failing, test::float32_weights(30000, i + 300), ValueType::float32);
        }
    } catch (const Error&) {
        // a later seal may already see the failure
    }
    EXPECT_THROW(failing->commit(), Error);
    failing.reset();
    EXPECT_EQ(files_under("packs").size(), 8u);
    EXPECT_TRUE(stdfs::is_empty(dir / "tmp"));
}

TEST_F(StoreTest, CorruptionAndLossAreNamedWhenReading) {
    auto session = store->begin_write();
    const auto a = put(*session, weights, ValueType::float32);
    session->commit();
    session->finish();
    const auto pack = files_under("packs").front();
    {
        std::fstream f(pack, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(5000);
        f.put('\x7f');
    }
    try {
        read(a.id, weights.size());
        FAIL() << "a damaged chunk was returned";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::corrupt);
        EXPECT_NE(std::string(e.what()).find(a.id.short_hex()), std::string::npos) << e.what();
    }
    ChunkReader reader(*store);
    EXPECT_EQ(reader.check(a.id, weights.size()), ""); // present: only --read-data sees it
    stdfs::remove(pack);
    ChunkReader later(*store);
    EXPECT_NE(later.check(a.id, weights.size()).find("is missing"), std::string::npos);
    EXPECT_THROW(read(a.id, weights.size()), Error);
}

TEST_F(StoreTest, PacksWithoutAnIndexFileAreIndexedAtOpen) {
    auto session = store->begin_write();
    const auto a = put(*session, weights, ValueType::float32);
    session->commit();
    session->finish();
    // A crash between the pack's rename and its index file, or a lost index file.
    for (const auto& file : files_under("index")) {
        stdfs::remove(file);
    }
    reopen();
    EXPECT_EQ(read(a.id, weights.size()), weights);
    EXPECT_EQ(files_under("index").size(), 1u);
}

TEST_F(StoreTest, ADamagedIndexFileIsRebuiltFromThePacks) {
    auto session = store->begin_write();
    const auto a = put(*session, weights, ValueType::float32);
    session->commit();
    session->finish();
    const auto index = files_under("index").front();
    const std::string intact = mv::test::read_file(index);
    {
        std::fstream f(index, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(20);
        f.put('\x01');
    }
    reopen();
    EXPECT_EQ(read(a.id, weights.size()), weights);
    // Rebuilt from the pack's header: the same content again, under the same name.
    const auto now = files_under("index");
    ASSERT_EQ(now.size(), 1u);
    EXPECT_EQ(mv::test::read_file(now.front()), intact);
}

TEST_F(StoreTest, ThreadsWritingAtOnceStoreEachChunkOnce) {
    // Each thread appends to a pack of its own outside the session's lock; two threads
    // putting the same chunks must still store each once, and commit publishes them all.
    reopen(1u << 20); // small packs: several fill up while the threads run
    std::vector<std::string> chunks;
    for (int i = 0; i < 24; ++i) {
        chunks.push_back(test::float32_weights(60000, static_cast<unsigned>(i + 10)));
    }
    auto session = store->begin_write();
    std::atomic<int> stored{0};
    std::vector<std::jthread> threads;
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&, t] {
            PutScratch own;
            for (std::size_t i = 0; i < chunks.size(); ++i) {
                const auto& chunk = chunks[(i + static_cast<std::size_t>(t) * 7) % chunks.size()];
                if (session->put(test::bytes_of(chunk), {ValueType::float32, 0}, own).stored) {
                    ++stored;
                }
            }
        });
    }
    threads.clear();
    EXPECT_EQ(stored.load(), 24);
    EXPECT_EQ(session->new_chunks(), 24u);
    session->commit();
    session->finish();
    EXPECT_GE(files_under("packs").size(), 2u);
    std::set<std::string> ids;
    for (const auto& chunk : chunks) {
        const auto id = store->namer().name(test::bytes_of(chunk));
        EXPECT_EQ(store->locate_all(id).size(), 1u) << "stored more than once";
        EXPECT_EQ(read(id, chunk.size()), chunk);
        ids.insert(id.hex());
    }
    EXPECT_EQ(ids.size(), 24u);
    EXPECT_TRUE(stdfs::is_empty(dir / "tmp")); // every pack was published
}

} // namespace
} // namespace mv::store
