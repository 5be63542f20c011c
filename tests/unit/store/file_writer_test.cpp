// Storing a file through write_file: its chunks come back in order and byte-exact although
// the reader reuses a few buffers while the workers and the hasher still run, and a
// worker's failure ends the file with that error instead of leaving the reader waiting.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "store/chunk_reader.hpp"
#include "store/file_writer.hpp"
#include "store/store.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/unit/store/test_data.hpp"
#include "util/fd.hpp"

namespace mv::store {
namespace {

namespace stdfs = std::filesystem;

class FileWriterTest : public ::testing::Test {
protected:
    void SetUp() override {
        stdfs::create_directories(dir / "tmp");
        store = Store::open({dir / "root", dir / "tmp", {}, true, 8u << 20});
    }
    // Stores `bytes` as a file with two workers.
    FileWriteResult store_file(const std::string& bytes, WriteSession& session,
                               unsigned workers = 2) {
        const auto path = dir / "model.bin";
        mv::test::write_file(path, bytes);
        const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        return write_file(fd.get(), bytes.size(), session, {workers}, std::stop_token{}, nullptr);
    }
    // Stores `bytes`, reads every chunk back and compares; returns what storing said.
    FileWriteResult expect_stored_whole(const std::string& bytes, unsigned workers) {
        const auto session = store->begin_write();
        const FileWriteResult result = store_file(bytes, *session, workers);
        session->commit();
        session->finish();
        ChunkReader reader(*store);
        std::string back;
        ByteBuffer chunk;
        for (const auto& stored : result.chunks) {
            reader.read(stored.id, stored.size, chunk);
            back.append(chunk.begin(), chunk.end());
        }
        EXPECT_TRUE(back == bytes) << "the chunks do not give the file back";
        return result;
    }

    mv::test::TempDir dir{"file-writer"};
    std::unique_ptr<Store> store;
};

// 24 MiB of float32 values and a run of zeros, content-defined: about a dozen chunks,
// more than the four buffers the reader may lend at once.
std::string model_bytes() {
    return test::float32_weights(5u << 20) + std::string(3u << 20, '\0') +
           test::float32_weights(1u << 20, 2);
}

TEST_F(FileWriterTest, ChunksComeBackInOrderWhileBuffersAreReused) {
    const std::string bytes = model_bytes();
    const FileWriteResult result = expect_stored_whole(bytes, 2);
    EXPECT_GT(result.chunks.size(), 6u);
    EXPECT_EQ(Digest{result.sha256}.hex(), Digest::sha256_of(test::bytes_of(bytes)).hex());
}

// A PyTorch-style zip whose pickles sit between its storages: each pickle is a region cut
// by content, more of them than the reader has buffers. Every such region used to keep
// one buffer lent for good, and the fourth (the third with one worker) waited for ever.
TEST_F(FileWriterTest, ManyContentDefinedRegionsGiveTheirBuffersBack) {
    std::vector<std::pair<std::string, std::string>> members;
    for (int i = 0; i < 8; ++i) {
        members.emplace_back("m/part" + std::to_string(i) + ".pkl",
                             test::float32_weights(3000, static_cast<unsigned>(i + 3)));
        members.emplace_back("m/data/" + std::to_string(i), test::float32_weights(20000));
    }
    const std::string zip = test::stored_zip(members);
    for (const unsigned workers : {1u, 2u}) {
        expect_stored_whole(zip, workers);
    }
}

TEST_F(FileWriterTest, AWorkerThatCannotWriteEndsTheFileWithItsError) {
    const std::string bytes = model_bytes();
    const auto session = store->begin_write();
    stdfs::remove_all(dir / "tmp"); // no pack can be created
    try {
        store_file(bytes, *session);
        FAIL() << "a file was stored without a pack";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("tmp"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace mv::store
