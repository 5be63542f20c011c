// The vault end to end, cross-checked with the system's tar, zstd and sha256sum.
#include <fcntl.h>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/lib/fake_clock.hpp"
#include "tests/lib/process.hpp"
#include "tests/lib/temp_dir.hpp"
#include "util/fs.hpp"
#include "vault/sha256.hpp"
#include "vault/tar_stream.hpp"
#include "vault/vault.hpp"

namespace mv::vault {
namespace {

namespace stdfs = std::filesystem;

std::size_t count_entries(const stdfs::path& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : stdfs::directory_iterator(dir)) {
        ++n;
    }
    return n;
}

std::size_t count_files(const stdfs::path& dir) {
    std::size_t n = 0;
    for (const auto& e : stdfs::recursive_directory_iterator(dir)) {
        n += e.is_regular_file() ? 1 : 0;
    }
    return n;
}

class VaultTest : public ::testing::Test {
protected:
    void SetUp() override { open_vault(); }

    // The version as the plain tar stream restore and export send (format 2 keeps no
    // archive per version).
    stdfs::path tar_of(const Manifest& m) {
        const auto file = dir / ("stream-" + m.version.to_string() + ".tar");
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        write_version_tar(vault->store(), vault->load(m), Members::all,
                          [&](const char* data, std::size_t size) {
                              out.write(data, static_cast<std::streamsize>(size));
                          },
                          {});
        return file;
    }

    void open_vault(config::Compression compression = {}) {
        vault.reset();
        vault = Vault::open({dir / "vault", compression, true, "test-host"}, clock);
    }

    // Writes `content` to models/<relative> and backs it up as model w/<relative>.
    WriteResult backup(const std::string& relative, const std::string& content,
                       std::optional<Bump> bump = {}) {
        test::write_file(dir / "models" / relative, content);
        clock.advance(std::chrono::seconds(61));
        NewVersion request;
        request.model = {"w", relative};
        request.files = {SourceFile::beneath(dir / "models", relative, relative)};
        request.bump = bump;
        request.reason = "test";
        return vault->write_version(request, std::stop_token{});
    }

    test::TempDir dir{"vault"};
    test::FakeClock clock{*parse_time("2026-11-22T08:00:00Z")};
    std::unique_ptr<Vault> vault;
    const std::string pickle = std::string("\x80\x04\x95", 3) + test::random_bytes(3 << 20, 1);
};

TEST_F(VaultTest, FirstBackupIsVersion100AndCommitsAtomically) {
    const auto result = backup("agents/dqn.pkl", pickle);
    ASSERT_TRUE(result.committed);
    const Manifest& m = result.manifest;
    EXPECT_EQ(m.version.to_string(), "1.0.0");
    EXPECT_EQ(m.sequence, 1u);
    EXPECT_EQ(m.bump, "initial");
    EXPECT_FALSE(m.parent);
    EXPECT_EQ(m.model, "w/agents/dqn.pkl");
    ASSERT_EQ(m.files.size(), 1u);
    EXPECT_EQ(m.files[0].sha256, sha256_hex(pickle));
    EXPECT_EQ(m.files[0].format, "pickle");
    // Format 2: the manifest names the file's chunks; one pack and its index hold them.
    EXPECT_EQ(m.format_version, 2);
    EXPECT_TRUE(stdfs::exists(vault->manifest_path(m)));
    EXPECT_GE(m.files[0].chunks.size(), 1u);
    EXPECT_EQ(m.storage.new_chunks, m.files[0].chunks.size());
    EXPECT_EQ(count_files(dir / "vault/packs"), 1u);
    EXPECT_EQ(count_files(dir / "vault/index"), 1u);
    EXPECT_EQ(count_entries(vault->tmp_dir()), 0u);
    EXPECT_TRUE(vault->verify(m, VerifyDepth::read_data, {}).ok());
}

TEST_F(VaultTest, ArchiveOpensWithSystemTarAndHashesMatchSha256sum) {
    const auto m = backup("agents/dqn.pkl", pickle).manifest;
    const auto archive = tar_of(m);
    // manifest.json comes first, then the model, then README.md.
    const auto listing = test::run({"tar", "-tf", archive.string()});
    ASSERT_EQ(listing.exit_code, 0) << listing.err;
    EXPECT_EQ(listing.out, "manifest.json\nmodel/agents/dqn.pkl\nREADME.md\n");
    EXPECT_EQ(listing.err, "") << "plain names need no pax header GNU tar would warn about";
    // Extract with tar and compare with sha256sum of the original file.
    const auto out = dir / "out";
    stdfs::create_directories(out);
    ASSERT_EQ(test::run({"tar", "-xf", archive.string(), "-C", out.string()}).exit_code, 0);
    const auto original = test::run({"sha256sum", (dir / "models/agents/dqn.pkl").string()});
    const auto extracted = test::run({"sha256sum", (out / "model/agents/dqn.pkl").string()});
    EXPECT_EQ(original.out.substr(0, 64), m.files[0].sha256);
    EXPECT_EQ(extracted.out.substr(0, 64), m.files[0].sha256);
    // The embedded manifest parses and describes the same version; the manifest file's
    // name is its own sha256sum.
    auto embedded = parse_manifest(test::read_file(out / "manifest.json"));
    ASSERT_TRUE(embedded) << embedded.error();
    EXPECT_EQ(embedded->version, m.version);
    EXPECT_EQ(embedded->files[0].sha256, m.files[0].sha256);
    EXPECT_EQ(test::run({"sha256sum", vault->manifest_path(m).string()}).out.substr(0, 64),
              m.object.hex());
    EXPECT_NE(test::read_file(out / "README.md").find("w/agents/dqn.pkl 1.0.0"), std::string::npos);
}

TEST_F(VaultTest, ChangedBytesArePatchIdenticalBytesAreNothing) {
    ASSERT_TRUE(backup("m.pkl", pickle).committed);
    const auto second = backup("m.pkl", pickle + "more");
    ASSERT_TRUE(second.committed);
    EXPECT_EQ(second.manifest.version.to_string(), "1.0.1");
    EXPECT_EQ(second.manifest.parent, (Version{1, 0, 0}));
    EXPECT_EQ(second.manifest.sequence, 2u);
    // Same bytes as the latest version, then as an older one: no version either time.
    const auto same = backup("m.pkl", pickle + "more");
    EXPECT_FALSE(same.committed);
    EXPECT_EQ(same.manifest.version.to_string(), "1.0.1");
    const auto older = backup("m.pkl", pickle);
    EXPECT_FALSE(older.committed);
    EXPECT_EQ(older.manifest.version.to_string(), "1.0.0");
    EXPECT_EQ(vault->versions("w/m.pkl").size(), 2u);
    EXPECT_EQ(count_entries(vault->tmp_dir()), 0u);
}

TEST_F(VaultTest, BumpOverridesAndSequencesPerModel) {
    backup("a.pkl", pickle);
    EXPECT_EQ(backup("a.pkl", pickle + "1", Bump::minor).manifest.version.to_string(), "1.1.0");
    EXPECT_EQ(backup("a.pkl", pickle + "2", Bump::major).manifest.version.to_string(), "2.0.0");
    EXPECT_EQ(backup("a.pkl", pickle + "3").manifest.version.to_string(), "2.0.1");
    const auto other = backup("b.pkl", pickle);
    EXPECT_EQ(other.manifest.version.to_string(), "1.0.0");
    EXPECT_EQ(other.manifest.sequence, 1u);
}

TEST_F(VaultTest, ReopeningLoadsTheCatalogAndTakesTheLock) {
    backup("a.pkl", pickle);
    backup("a.pkl", pickle + "x");
    EXPECT_THROW(Vault::open({dir / "vault", {}, true, "h"}, clock), Fatal);
    open_vault();
    const auto versions = vault->versions("w/a.pkl");
    ASSERT_EQ(versions.size(), 2u);
    EXPECT_EQ(versions[1].version.to_string(), "1.0.1");
    EXPECT_EQ(vault->stats().versions, 2u);
    EXPECT_EQ(backup("a.pkl", pickle + "y").manifest.version.to_string(), "1.0.2");
}

TEST_F(VaultTest, StartupRemovesLeftoversOfInterruptedWrites) {
    const auto kept = backup("a.pkl", pickle).manifest;
    // A version whose packs were committed but whose manifest never was (a crash between
    // the two): its chunks are referenced by nothing.
    const auto orphan = backup("a.pkl", pickle + "orphan").manifest;
    stdfs::remove(vault->manifest_path(orphan));
    vault.reset();
    // A half-written pack in tmp/.
    test::write_file(dir / "vault/tmp/pack-123.part", "partial");
    open_vault();
    EXPECT_EQ(count_entries(vault->tmp_dir()), 0u);
    EXPECT_EQ(vault->versions("w/a.pkl").size(), 1u);
    // The orphaned chunks go at the next collection; the kept version stays intact.
    EXPECT_EQ(count_files(dir / "vault/packs"), 2u);
    EXPECT_GT(vault->collect({}).freed_bytes, 0u);
    EXPECT_EQ(count_files(dir / "vault/packs"), 1u);
    EXPECT_TRUE(vault->verify(kept, VerifyDepth::read_data, {}).ok());
}

TEST_F(VaultTest, RefusesAFolderThatIsNotAVault) {
    vault.reset();
    test::write_file(dir / "notavault/precious.txt", "keep me");
    EXPECT_THROW(Vault::open({dir / "notavault", {}, true, "h"}, clock), Fatal);
    EXPECT_EQ(test::read_file(dir / "notavault/precious.txt"), "keep me");
}

TEST_F(VaultTest, FileChangedDuringReadIsDiscarded) {
    test::write_file(dir / "models/g.pkl", pickle);
    NewVersion request;
    request.model = {"w", "g.pkl"};
    request.files = {SourceFile::beneath(dir / "models", "g.pkl", "g.pkl")};
    bool appended = false;
    const auto append_once = [&](std::uint64_t) {
        if (!appended) {
            appended = true;
            const int fd = ::open((dir / "models/g.pkl").c_str(), O_WRONLY | O_APPEND);
            ASSERT_EQ(::write(fd, "tail", 4), 4);
            ::close(fd);
        }
    };
    EXPECT_THROW(vault->write_version(request, {}, append_once), FileChangedError);
    EXPECT_TRUE(vault->versions("w/g.pkl").empty());
    EXPECT_EQ(count_entries(vault->tmp_dir()), 0u);
}

TEST_F(VaultTest, StopRequestAbandonsTheWriteCleanly) {
    test::write_file(dir / "models/s.pkl", pickle);
    NewVersion request;
    request.model = {"w", "s.pkl"};
    request.files = {SourceFile::beneath(dir / "models", "s.pkl", "s.pkl")};
    std::stop_source stop;
    try {
        vault->write_version(request, stop.get_token(),
                             [&](std::uint64_t) { stop.request_stop(); });
        FAIL() << "expected the write to be abandoned";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::cancelled);
    }
    EXPECT_TRUE(vault->versions("w/s.pkl").empty());
    EXPECT_EQ(count_entries(vault->tmp_dir()), 0u);
}

TEST_F(VaultTest, OddFileNamesSurviveByteExact) {
    const std::string name = "dir with space/new\nline \xff\xfe.pkl";
    const auto m = backup(name, pickle).manifest;
    EXPECT_EQ(m.model, "w/dir with space/new\\x0aline \\xff\\xfe.pkl");
    EXPECT_EQ(m.files[0].path, name);
    const auto out = dir / "out";
    stdfs::create_directories(out);
    ASSERT_EQ(test::run({"tar", "-xf", tar_of(m).string(), "-C", out.string()}).exit_code, 0);
    EXPECT_EQ(test::read_file(out / "model" / name), pickle);
    open_vault();
    EXPECT_EQ(vault->versions(m.model).size(), 1u);
}

TEST_F(VaultTest, Utf8NamesSurviveByteExact) {
    const std::string name = "mod\xc3\xa8le \xe6\xa8\xa1\xe5\x9e\x8b.pt"; // modèle 模型.pt
    const auto m = backup(name, pickle).manifest;
    EXPECT_EQ(m.files[0].path, name);
    EXPECT_TRUE(vault->verify(m, VerifyDepth::read_data, {}).ok());
    const auto out = dir / "out";
    stdfs::create_directories(out);
    ASSERT_EQ(test::run({"tar", "-xf", tar_of(m).string(), "-C", out.string()}).exit_code, 0);
    EXPECT_EQ(test::read_file(out / "model" / name), pickle);
}

TEST_F(VaultTest, ManyFilesFitTheReservedManifest) {
    NewVersion request;
    request.model = {"w", ""};
    for (int i = 0; i < 500; ++i) {
        const std::string rel = "shard-" + std::to_string(i) + ".safetensors";
        test::write_file(dir / "models" / rel, "x" + std::to_string(i));
        request.files.push_back(SourceFile::beneath(dir / "models", rel, rel));
    }
    const auto result = vault->write_version(request, {});
    ASSERT_TRUE(result.committed);
    EXPECT_EQ(result.manifest.files.size(), 500u);
    EXPECT_TRUE(vault->verify(result.manifest, VerifyDepth::read_data, {}).ok());
}

TEST_F(VaultTest, EmptyFileIsAVersionToo) {
    const auto m = backup("empty.pkl", "").manifest;
    EXPECT_EQ(m.files[0].size, 0u);
    EXPECT_TRUE(vault->verify(m, VerifyDepth::read_data, {}).ok());
}

struct VaultCodecCase {
    config::Codec codec;
    int level;
    const char* stored_as; ///< storage.codec: chunks are zstd (or raw for none) in format 2
};

class VaultCodecTest : public VaultTest, public ::testing::WithParamInterface<VaultCodecCase> {};

TEST_P(VaultCodecTest, SystemTarReadsEveryCodec) {
    open_vault({GetParam().codec, GetParam().level, 2});
    const auto m = backup("c.pkl", pickle).manifest;
    EXPECT_EQ(m.storage.codec, GetParam().stored_as);
    const auto listing = test::run({"tar", "-tf", tar_of(m).string()});
    ASSERT_EQ(listing.exit_code, 0) << listing.err;
    EXPECT_EQ(listing.out, "manifest.json\nmodel/c.pkl\nREADME.md\n");
    EXPECT_TRUE(vault->verify(m, VerifyDepth::read_data, {}).ok());
}

INSTANTIATE_TEST_SUITE_P(Codecs, VaultCodecTest,
                         ::testing::Values(VaultCodecCase{config::Codec::zstd, 3, "zstd"},
                                           VaultCodecCase{config::Codec::zstd, 19, "zstd"},
                                           VaultCodecCase{config::Codec::gzip, 6, "zstd"},
                                           VaultCodecCase{config::Codec::xz, 1, "zstd"},
                                           VaultCodecCase{config::Codec::none, 0, "none"}));

} // namespace
} // namespace mv::vault

namespace mv::vault {
namespace {

TEST_F(VaultTest, NeverReadsThroughASymlinkInTheWatchedFolder) {
    test::write_file(dir / "secret/key.pkl", pickle);
    std::filesystem::create_directories(dir / "models");
    std::filesystem::create_directory_symlink(dir / "secret", dir / "models/linkdir");
    NewVersion request;
    request.model = {"w", "linkdir/key.pkl"};
    request.files = {SourceFile::beneath(dir / "models", "linkdir/key.pkl", "key.pkl")};
    try {
        vault->write_version(request, {});
        FAIL() << "a file behind a symlinked folder was read";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("symlink"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(vault->versions("w/linkdir/key.pkl").empty());
    EXPECT_EQ(count_entries(vault->tmp_dir()), 0u);
}

TEST_F(VaultTest, AbandoningAHugeFileDoesNotWriteItsRest) {
    // A sparse 8 GiB file, abandoned after its first MiB: the writer must stop at once
    // instead of padding the member to 8 GiB (which takes tens of seconds with codec none).
    open_vault({config::Codec::none, 0, 1});
    std::filesystem::create_directories(dir / "models");
    { std::ofstream(dir / "models/huge.pkl").put('\x80'); }
    std::filesystem::resize_file(dir / "models/huge.pkl", 8ull << 30);
    NewVersion request;
    request.model = {"w", "huge.pkl"};
    request.files = {SourceFile::beneath(dir / "models", "huge.pkl", "huge.pkl")};
    std::stop_source stop;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(vault->write_version(request, stop.get_token(),
                                      [&](std::uint64_t) { stop.request_stop(); }),
                 Error);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
    EXPECT_EQ(count_entries(vault->tmp_dir()), 0u);
}

TEST_F(VaultTest, AFailedCommitLeavesNothingInTmp) {
    // The packs are complete and verified, but the manifest cannot be written (its folder
    // is taken by a file): tmp/ must still end up empty, and no version exists.
    test::write_file(dir / "models/c.pkl", pickle);
    stdfs::remove_all(dir / "vault/manifests");
    test::write_file(dir / "vault/manifests", "someone else's file");
    NewVersion request;
    request.model = {"w", "c.pkl"};
    request.files = {SourceFile::beneath(dir / "models", "c.pkl", "c.pkl")};
    try {
        vault->write_version(request, {});
        FAIL() << "the commit should have been refused";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::io);
    }
    EXPECT_EQ(count_entries(vault->tmp_dir()), 0u);
    EXPECT_EQ(test::read_file(dir / "vault/manifests"), "someone else's file");
    EXPECT_TRUE(vault->versions("w/c.pkl").empty());
}

} // namespace
} // namespace mv::vault
