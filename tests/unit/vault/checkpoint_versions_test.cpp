// What the vault does for checkpoint series and quiet files (issue 9): a file read only
// in the state it was judged quiet in, checkpoint files identical whatever their names,
// and metrics attached after the version.
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/lib/fake_clock.hpp"
#include "tests/lib/temp_dir.hpp"
#include "vault/vault.hpp"

namespace mv::vault {
namespace {

using namespace std::chrono_literals;

class CheckpointVersionsTest : public ::testing::Test {
protected:
    // A version of series model "w/run/lightning" from checkpoint file `name`.
    WriteResult store(const std::string& name, const std::string& content) {
        test::write_file(dir / "models" / name, content);
        clock.advance(61s);
        NewVersion request;
        request.model = {"w", "run/lightning"};
        request.files = {SourceFile::beneath(dir / "models", name, name)};
        request.checkpoint = CheckpointInfo{name, std::nullopt, std::nullopt, false};
        return vault->write_version(request, std::stop_token{});
    }

    test::TempDir dir{"ckptvault"};
    test::FakeClock clock{*parse_time("2026-11-22T08:00:00Z")};
    std::unique_ptr<Vault> vault = Vault::open({dir / "vault", {}, true, "test-host"}, clock);
};

TEST_F(CheckpointVersionsTest, ACheckpointFileIsTheSameContentWhateverItsName) {
    // Lightning's last.ckpt holding the bytes of epoch=3-step=1200.ckpt adds nothing.
    ASSERT_TRUE(store("epoch=3-step=1200.ckpt", "weights three").committed);
    const auto copy = store("last.ckpt", "weights three");
    EXPECT_FALSE(copy.committed);
    EXPECT_EQ(copy.manifest.version.to_string(), "1.0.0");
    const auto next = store("last.ckpt", "weights four");
    EXPECT_TRUE(next.committed);
    EXPECT_EQ(next.manifest.checkpoint->name, "last.ckpt");
    EXPECT_EQ(next.manifest.files[0].path, "last.ckpt");
}

TEST_F(CheckpointVersionsTest, AFileChangedSinceItWasFoundQuietIsNotRead) {
    test::write_file(dir / "models/m.pkl", "first");
    struct stat st {};
    ASSERT_EQ(::stat((dir / "models/m.pkl").c_str(), &st), 0);
    NewVersion request;
    request.model = {"w", "m.pkl"};
    request.files = {SourceFile::beneath(dir / "models", "m.pkl", "m.pkl")};
    request.files[0].expected =
        ExpectedState{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                      static_cast<std::uint64_t>(st.st_size),
                      st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec,
                      st.st_ctim.tv_sec * 1'000'000'000LL + st.st_ctim.tv_nsec};
    // Appended to after the quiet check, before the read.
    std::this_thread::sleep_for(20ms);
    const int fd = ::open((dir / "models/m.pkl").c_str(), O_WRONLY | O_APPEND);
    ASSERT_EQ(::write(fd, "more", 4), 4);
    ::close(fd);
    EXPECT_THROW(vault->write_version(request, std::stop_token{}), FileChangedError);
    EXPECT_TRUE(vault->versions("w/m.pkl").empty());
}

TEST_F(CheckpointVersionsTest, LateMetricsAreRecordedInTheSidecar) {
    test::write_file(dir / "models/m.pkl", "weights");
    NewVersion request;
    request.model = {"w", "m.pkl"};
    request.files = {SourceFile::beneath(dir / "models", "m.pkl", "m.pkl")};
    request.metrics_missing = true;
    const auto written = vault->write_version(request, std::stop_token{});
    ASSERT_TRUE(written.committed);
    EXPECT_TRUE(written.manifest.metrics_missing);
    const auto attached =
        vault->attach_metrics("w/m.pkl", written.manifest.version, {{"acc", 0.9}},
                              {{"m.metrics.json", std::string(64, 'd')}}, "metrics came later");
    EXPECT_FALSE(attached.metrics_missing);
    EXPECT_EQ(attached.reason, "metrics came later");
    EXPECT_EQ(attached.metrics["acc"], 0.9);
    // It survives a restart: the manifest's new revision says so.
    vault.reset();
    vault = Vault::open({dir / "vault", {}, true, "test-host"}, clock);
    const auto reread = vault->latest("w/m.pkl");
    ASSERT_TRUE(reread);
    EXPECT_FALSE(reread->metrics_missing);
    EXPECT_EQ(reread->metrics_files.at(0).path, "m.metrics.json");
    EXPECT_THROW(vault->attach_metrics("w/none.pkl", written.manifest.version, {}, {}, ""), Error);
}

TEST_F(CheckpointVersionsTest, LateMetricsMakeANewRevisionThatReplacesTheManifest) {
    // Format 2 (docs/FORMAT.md, "Manifests"): a manifest never changes; the metrics go
    // into a new revision with the same chunks, and the old file is removed.
    test::write_file(dir / "models/m.pkl", "weights");
    NewVersion request;
    request.model = {"w", "m.pkl"};
    request.files = {SourceFile::beneath(dir / "models", "m.pkl", "m.pkl")};
    request.metrics_missing = true;
    request.tags = {"nightly"};
    const auto written = vault->write_version(request, std::stop_token{});
    ASSERT_TRUE(written.committed);
    const auto before = vault->load(written.manifest);
    const auto old_file = vault->manifest_path(written.manifest);
    const auto attached =
        vault->attach_metrics("w/m.pkl", written.manifest.version, {{"acc", 0.9}},
                              {{"m.metrics.json", std::string(64, 'd')}}, written.manifest.reason);
    EXPECT_EQ(attached.revision, written.manifest.revision + 1);
    EXPECT_EQ(attached.tags, std::vector<std::string>{"nightly"});
    EXPECT_FALSE(std::filesystem::exists(old_file));
    std::size_t manifests = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir / "vault/manifests")) {
        manifests += entry.is_regular_file() ? 1 : 0;
    }
    EXPECT_EQ(manifests, 1u);
    const auto after = vault->load(attached);
    EXPECT_EQ(after.chunk_ids(), before.chunk_ids());
    EXPECT_TRUE(vault->verify(attached, VerifyDepth::read_data, std::stop_token{}).ok());
    // A retag afterwards keeps the metrics.
    const auto retagged = vault->set_tags("w/m.pkl", written.manifest.version, {"kept"});
    EXPECT_EQ(retagged.revision, attached.revision + 1);
    EXPECT_EQ(retagged.metrics["acc"], 0.9);
    EXPECT_FALSE(retagged.metrics_missing);
}

} // namespace
} // namespace mv::vault
