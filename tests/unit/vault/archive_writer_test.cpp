// The archive writer's own guarantees: what it proves on read-back, what it refuses, and
// that it leaves nothing behind when a backup is cancelled.
#include <fcntl.h>
#include <optional>
#include <stop_token>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/lib/process.hpp"
#include "tests/lib/temp_dir.hpp"
#include "vault/archive_writer.hpp"
#include "vault/sha256.hpp"
#include "vault/stream_verifier.hpp"

namespace mv::vault {
namespace {

namespace stdfs = std::filesystem;

class ArchiveWriterTest : public ::testing::TestWithParam<config::Codec> {
protected:
    std::unique_ptr<ArchiveWriter> writer(Verification verification = Verification::in_flight) {
        config::Compression compression;
        compression.codec = GetParam();
        compression.level = 3;
        compression.threads = 2;
        return std::make_unique<ArchiveWriter>(path, compression, 4096, verification);
    }

    /// An archive with one member, finished (not yet read back).
    std::unique_ptr<ArchiveWriter>
    finished_archive(Verification verification = Verification::in_flight) {
        auto w = writer(verification);
        w->add_text("model/weights.bin", std::string(3 << 20, 'w'), SystemTime{});
        w->finish(R"({"version":"1.0.0"})", SystemTime{});
        return w;
    }

    /// Overwrites one byte of the written file at `offset` (from the end when negative).
    void damage(off_t offset) {
        const int fd = ::open(path.c_str(), O_RDWR);
        ASSERT_GE(fd, 0);
        const off_t size = ::lseek(fd, 0, SEEK_END);
        const off_t at = offset < 0 ? size + offset : offset;
        char byte = 0;
        ASSERT_EQ(::pread(fd, &byte, 1, at), 1);
        byte = static_cast<char>(byte ^ 0x20);
        ASSERT_EQ(::pwrite(fd, &byte, 1, at), 1);
        ::close(fd);
    }

    /// The code of the Error `action` throws; nothing when it throws none.
    static std::optional<ErrorCode> code_of(const std::function<void()>& action) {
        try {
            action();
        } catch (const Error& e) {
            return e.code();
        }
        return std::nullopt;
    }

    test::TempDir dir{"archive-writer"};
    stdfs::path path = dir / "write.part";
};

TEST_P(ArchiveWriterTest, ReadBackHashesTheWholeFile) {
    auto w = finished_archive();
    const ArchiveFacts facts = w->read_back({});
    EXPECT_EQ(facts.size, stdfs::file_size(path));
    EXPECT_EQ(facts.sha256, sha256_hex(test::read_file(path)));
}

TEST_P(ArchiveWriterTest, ReadBackRefusesDataChangedAfterItWasVerified) {
    auto w = finished_archive();
    damage(-100); // in the data part, after the manifest frame
    EXPECT_EQ(code_of([&] { w->read_back({}); }), ErrorCode::corrupt);
}

TEST_P(ArchiveWriterTest, ReadBackRefusesAChangedManifestFrame) {
    auto w = finished_archive();
    damage(20); // inside the front region
    EXPECT_EQ(code_of([&] { w->read_back({}); }), ErrorCode::corrupt);
}

TEST_P(ArchiveWriterTest, WithoutVerificationReadBackOnlyHashes) {
    auto w = finished_archive(Verification::none);
    damage(-100);
    const ArchiveFacts facts = w->read_back({});
    EXPECT_EQ(facts.sha256, sha256_hex(test::read_file(path)));
}

TEST_P(ArchiveWriterTest, ACancelledReadBackLeavesNoFile) {
    auto w = finished_archive();
    std::stop_source stop;
    stop.request_stop();
    EXPECT_EQ(code_of([&] { w->read_back(stop.get_token()); }), ErrorCode::cancelled);
    w.reset();
    EXPECT_FALSE(stdfs::exists(path));
}

TEST_P(ArchiveWriterTest, ACancelledFileLeavesNoFile) {
    test::write_file(dir / "big.bin", std::string(8 << 20, 'b'));
    auto w = writer();
    std::stop_source stop;
    stop.request_stop();
    const auto source = SourceFile::beneath(dir.path(), "big.bin", "big.bin");
    EXPECT_EQ(code_of([&] { w->add_file(source, stop.get_token(), {}); }), ErrorCode::cancelled);
    w.reset(); // abandons the member half written, and its verification
    EXPECT_FALSE(stdfs::exists(path));
}

TEST_P(ArchiveWriterTest, AMemberNameTwiceIsRefused) {
    auto w = writer();
    w->add_text("README.md", "one", SystemTime{});
    EXPECT_EQ(code_of([&] { w->add_text("README.md", "two", SystemTime{}); }),
              ErrorCode::invalid_argument);
}

TEST(StreamVerifierTest, AMemberNameTwiceIsAProblem) {
    // GNU tar stores a file named twice twice; a comparison by name would see one.
    test::TempDir dir{"verifier"};
    test::write_file(dir / "a", "weights");
    const auto tar =
        test::run({"tar", "-cf", (dir / "dup.tar").string(), "-C", dir.path().string(), "a", "a"});
    ASSERT_EQ(tar.exit_code, 0) << tar.err;
    const std::string stream = test::read_file(dir / "dup.tar");
    StreamVerifier verifier;
    verifier.push(stream.data(), stream.size());
    const auto result = verifier.finish();
    EXPECT_NE(result.problem.find("a appears twice"), std::string::npos) << result.problem;
}

std::string codec_name(const ::testing::TestParamInfo<config::Codec>& param) {
    return std::string(config::to_string(param.param));
}

INSTANTIATE_TEST_SUITE_P(Codecs, ArchiveWriterTest,
                         ::testing::Values(config::Codec::zstd, config::Codec::gzip,
                                           config::Codec::none),
                         codec_name);

} // namespace
} // namespace mv::vault
