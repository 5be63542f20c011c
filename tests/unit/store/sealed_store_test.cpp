// An encrypted vault's store (store/sealing.hpp): chunks come back through the seal, no
// plaintext or chunk name reaches a file, and a flipped, swapped or truncated blob, header
// or index is caught.
#include <fstream>

#include <gtest/gtest.h>

#include "store/byte_buffer.hpp"
#include "store/chunk_reader.hpp"
#include "store/pack_format.hpp"
#include "store/store.hpp"
#include "store/write_session.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/unit/store/test_data.hpp"

namespace mv::store {
namespace {

namespace stdfs = std::filesystem;

// 64 bytes that random data will not contain.
const std::string k_marker = "sealed-store-marker:0123456789abcdef0123456789abcdef0123456789ab";

class SealedStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        stdfs::create_directories(dir / "tmp");
        reopen();
    }
    void reopen() {
        store.reset();
        store = Store::open({dir / "root", dir / "tmp", {}, true, 32u << 20}, nullptr, key);
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
    std::string file(const stdfs::path& path) { return mv::test::read_file(path); }
    void rewrite(const stdfs::path& path, const std::string& content) {
        stdfs::permissions(path, stdfs::perms::owner_write, stdfs::perm_options::add);
        std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    }
    // Stores `chunks` in one session and returns their results.
    std::vector<PutResult> store_chunks(const std::vector<std::string>& chunks) {
        auto session = store->begin_write();
        std::vector<PutResult> results;
        for (const auto& chunk : chunks) {
            results.push_back(session->put(test::bytes_of(chunk), {}, scratch));
        }
        session->commit();
        session->finish();
        return results;
    }
    std::string read(const ChunkId& id, std::uint64_t size) {
        ChunkReader reader(*store);
        ByteBuffer out;
        reader.read(id, size, out);
        return {out.begin(), out.end()};
    }

    mv::test::TempDir dir{"sealed-store"};
    std::shared_ptr<const crypto::MasterKey> key =
        std::make_shared<const crypto::MasterKey>(crypto::MasterKey::generate());
    std::unique_ptr<Store> store;
    PutScratch scratch;
    const std::string model =
        mv::test::random_bytes(300000, 3) + k_marker + mv::test::random_bytes(5000, 4);
};

TEST_F(SealedStoreTest, ChunksComeBackAndNoPlaintextOrNameReachesAFile) {
    const auto results = store_chunks({model, "a small chunk"});
    EXPECT_EQ(store->namer().scheme(), "hmac-sha256");
    EXPECT_NE(results[0].id, Digest::sha256_of(test::bytes_of(model)));
    for (const auto& path : files_under("")) {
        const std::string content = file(path);
        EXPECT_EQ(content.find(k_marker), std::string::npos) << path;
        EXPECT_EQ(content.find("a small chunk"), std::string::npos) << path;
        for (const auto& result : results) {
            const std::string name(result.id.bytes.begin(), result.id.bytes.end());
            EXPECT_EQ(content.find(name), std::string::npos) << path << " names a chunk";
        }
    }
    reopen();
    EXPECT_EQ(read(results[0].id, model.size()), model);
    EXPECT_EQ(read(results[1].id, 13), "a small chunk");
    EXPECT_TRUE(store->check_packs({}).empty());
}

TEST_F(SealedStoreTest, AFlippedByteInABlobIsCaughtAndNamed) {
    const auto results = store_chunks({model});
    const auto pack = files_under("packs").at(0);
    std::string bytes = file(pack);
    bytes[1000] ^= 1;
    rewrite(pack, bytes);
    try {
        read(results[0].id, model.size());
        FAIL() << "a damaged blob was read";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::corrupt);
        EXPECT_NE(std::string(e.what()).find("does not authenticate"), std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(store->check_packs({}).empty());
}

TEST_F(SealedStoreTest, SwappedBlobsDoNotOpenUnderEachOthersName) {
    // Two chunks of one size, side by side in one pack: swap their sealed bytes.
    const std::string a = mv::test::random_bytes(4000, 7);
    const std::string b = mv::test::random_bytes(4000, 8);
    const auto results = store_chunks({a, b});
    const auto pack = files_under("packs").at(0);
    const std::string bytes = file(pack);
    const auto first = store->locate(results[0].id)->entry;
    const auto second = store->locate(results[1].id)->entry;
    ASSERT_EQ(first.stored_length, second.stored_length);
    std::string swapped = bytes;
    swapped.replace(first.offset, first.stored_length, bytes, second.offset, second.stored_length);
    swapped.replace(second.offset, second.stored_length, bytes, first.offset, first.stored_length);
    rewrite(pack, swapped);
    EXPECT_THROW(read(results[0].id, a.size()), Error);
    EXPECT_THROW(read(results[1].id, b.size()), Error);
}

TEST_F(SealedStoreTest, ATruncatedPackOrAnotherKeyIsRefused) {
    store_chunks({model});
    const auto pack = files_under("packs").at(0);
    const std::string bytes = file(pack);
    // The header without its last byte (the trailer moved down by one).
    std::string truncated = bytes;
    truncated.erase(truncated.size() - 17, 1);
    EXPECT_FALSE(parse_pack(test::bytes_of(truncated), store->sealing()));
    auto parsed = parse_pack(test::bytes_of(bytes), store->sealing());
    ASSERT_TRUE(parsed) << parsed.error();
    // Another vault's key, and a plain vault, cannot read the header.
    const Sealing other(std::make_shared<const crypto::MasterKey>(crypto::MasterKey::generate()));
    auto foreign = parse_pack(test::bytes_of(bytes), other);
    ASSERT_FALSE(foreign);
    EXPECT_NE(foreign.error().find("header does not authenticate"), std::string::npos)
        << foreign.error();
    auto plain = parse_pack(test::bytes_of(bytes));
    ASSERT_FALSE(plain);
    EXPECT_NE(plain.error().find("the pack is encrypted, the vault is not"), std::string::npos);
}

TEST_F(SealedStoreTest, ADamagedIndexFileIsRebuiltFromTheSealedHeaders) {
    const auto results = store_chunks({model});
    const auto index = files_under("index").at(0);
    std::string bytes = file(index);
    bytes[bytes.size() / 2] ^= 1;
    rewrite(index, bytes);
    reopen();
    EXPECT_EQ(read(results[0].id, model.size()), model);
}

} // namespace
} // namespace mv::store
