// A format-1 vault made by the code before format 2 (tests/fixtures/vault-format1) is
// upgraded with nothing lost, and the upgrade resumes after an interruption.
#include <fstream>

#include <gtest/gtest.h>

#include "tests/lib/fake_clock.hpp"
#include "tests/lib/process.hpp"
#include "tests/lib/temp_dir.hpp"
#include "util/fs.hpp"
#include "vault/tar_stream.hpp"
#include "vault/vault.hpp"

namespace mv::vault {
namespace {

namespace stdfs = std::filesystem;

const stdfs::path k_fixture = stdfs::path(MV_SOURCE_DIR) / "tests/fixtures/vault-format1";

// The fixture's sidecars: what every migrated version must still say.
std::vector<Manifest> format1_manifests(const stdfs::path& vault) {
    std::vector<Manifest> found;
    for (const auto& e : stdfs::recursive_directory_iterator(vault / "models")) {
        const auto name = e.path().filename().string();
        if (e.is_regular_file() && name.ends_with(".json")) {
            auto m = parse_manifest(test::read_file(e.path()));
            EXPECT_TRUE(m) << e.path();
            found.push_back(*m);
        }
    }
    return found;
}

std::size_t count_named(const stdfs::path& dir, std::string_view suffix) {
    std::size_t n = 0;
    for (const auto& e : stdfs::recursive_directory_iterator(dir)) {
        n += e.path().filename().string().ends_with(suffix) ? 1 : 0;
    }
    return n;
}

class MigrateTest : public ::testing::Test {
protected:
    void SetUp() override {
        stdfs::copy(k_fixture, dir / "vault", stdfs::copy_options::recursive);
        old = format1_manifests(dir / "vault");
        ASSERT_EQ(old.size(), 5u);
    }
    std::unique_ptr<Vault> open() { return Vault::open({dir / "vault", {}, true, "h"}, clock); }

    // Every field a format-1 version had, the migrated one has too.
    void expect_preserved(const Vault& vault) {
        for (const auto& before : old) {
            const auto after = vault.find(before.model, before.version);
            ASSERT_TRUE(after) << before.model << " " << before.version.to_string();
            EXPECT_EQ(after->format_version, 2);
            auto a = to_json(before, false);
            auto b = to_json(*after, false);
            for (auto* j : {&a, &b}) {
                j->erase("format_version");
                j->erase("archive");
                j->erase("storage");
                j->erase("revision");
                for (auto& file : (*j)["files"]) {
                    file.erase("chunk_count");
                }
            }
            EXPECT_EQ(a, b) << before.model << " " << before.version.to_string();
            EXPECT_TRUE(vault.verify(*after, VerifyDepth::read_data, {}).ok());
        }
    }

    test::TempDir dir{"migrate"};
    test::FakeClock clock{*parse_time("2026-12-01T00:00:00Z")};
    std::vector<Manifest> old;
};

TEST_F(MigrateTest, EveryVersionNumberTimeTagNoteAndHistoryRecordIsKept) {
    const auto vault = open();
    expect_preserved(*vault);
    EXPECT_EQ(vault->stats().versions, 5u);
    // The history is where it was: best, current, and the removed 1.0.0 all hold.
    EXPECT_EQ(vault->pointer("lab/dqn.pkl", Pointer::best), (Version{1, 1, 0}));
    EXPECT_EQ(vault->pointer("lab/dqn.pkl", Pointer::current), (Version{1, 1, 0}));
    EXPECT_EQ(vault->history("lab/dqn.pkl").size(), 4u);
    EXPECT_EQ(vault->tags_of(*vault->find("lab/dqn.pkl", {1, 1, 1})),
              std::vector<std::string>{"pinned"});
    EXPECT_EQ(vault->find("lab/odd name é.pkl", {1, 1, 0})->note, "a manual note");
    // No archive or sidecar is left; vault.json says format 2.
    EXPECT_EQ(count_named(dir / "vault/models", ".tar.zst"), 0u);
    EXPECT_EQ(count_named(dir / "vault/models", ".json"), 0u);
    EXPECT_NE(test::read_file(dir / "vault/vault.json").find("\"version\": 2"), std::string::npos);
    EXPECT_FALSE(stdfs::exists(dir / "vault/legacy"));
    // Files come back byte for byte: the same bytes the format-1 archive holds.
    const auto m = vault->load(*vault->find("lab/dqn.pkl", {1, 1, 1}));
    const auto out = dir / "stream.tar";
    {
        std::ofstream tar(out, std::ios::binary);
        write_version_tar(vault->store(), m, Members::all,
                          [&](const char* d, std::size_t n) { tar.write(d, static_cast<long>(n)); },
                          {});
    }
    stdfs::create_directories(dir / "x");
    ASSERT_EQ(test::run({"tar", "-xf", out.string(), "-C", (dir / "x").string()}).exit_code, 0);
    stdfs::create_directories(dir / "y");
    ASSERT_EQ(test::run({"tar", "--zstd", "-xf",
                         (k_fixture / "models/lab/dqn.pkl/1.1.1_20261130T130909Z.tar.zst").string(),
                         "-C", (dir / "y").string()})
                  .exit_code,
              0);
    EXPECT_EQ(test::read_file(dir / "x/model/dqn.pkl"), test::read_file(dir / "y/model/dqn.pkl"));
    EXPECT_EQ(test::read_file(dir / "x/sidecars/dqn.metrics.json"),
              test::read_file(dir / "y/sidecars/dqn.metrics.json"));
}

TEST_F(MigrateTest, NumbersOnceGivenAreNotGivenAgain) {
    auto vault = open();
    // 1.0.0 was removed by retention in format 1: the next number follows 1.1.1 and the
    // next sequence follows the removed one's too.
    test::write_file(dir / "models/dqn.pkl", "\x80\x04new.");
    NewVersion request;
    request.model = {"lab", "dqn.pkl"};
    request.files = {SourceFile::beneath(dir / "models", "dqn.pkl", "dqn.pkl")};
    const auto result = vault->write_version(request, {});
    EXPECT_EQ(result.manifest.version.to_string(), "1.1.2");
    EXPECT_EQ(result.manifest.sequence, 4u);
}

TEST_F(MigrateTest, AnInterruptedUpgradeResumes) {
    // A crash after some versions were upgraded: their format-2 manifests exist and the
    // rest is still format 1. Made by upgrading without two versions, then putting them
    // back and the marker to format 1.
    const auto folder = dir / "vault/models/lab/odd%20name%20é.pkl";
    stdfs::rename(folder, dir / "aside");
    open().reset();
    stdfs::rename(dir / "aside", folder);
    test::write_file(dir / "vault/vault.json",
                     test::read_file(k_fixture / "vault.json")); // format 1 again
    // And a crash after a version's manifest but before its old files went: a copy of
    // one already migrated is back.
    stdfs::copy_file(k_fixture / "models/lab/w.safetensors/1.0.0_20261130T130914Z.json",
                     dir / "vault/models/lab/w.safetensors/1.0.0_20261130T130914Z.json");
    stdfs::copy_file(k_fixture / "models/lab/w.safetensors/1.0.0_20261130T130914Z.tar.zst",
                     dir / "vault/models/lab/w.safetensors/1.0.0_20261130T130914Z.tar.zst");
    const auto vault = open();
    expect_preserved(*vault);
    EXPECT_EQ(vault->stats().versions, 5u);
    EXPECT_EQ(count_named(dir / "vault/manifests", ".json"), 5u) << "no version twice";
    EXPECT_EQ(count_named(dir / "vault/models", ".tar.zst"), 0u);
}

TEST_F(MigrateTest, ADamagedVersionIsSetAsideAndTheRestMigrates) {
    // A damaged archive and an unreadable sidecar: both versions go to legacy/, named in
    // the log, untouched; everything else is upgraded.
    const auto archive = dir / "vault/models/lab/dqn.pkl/1.1.0_20261130T130908Z.tar.zst";
    std::string bytes = test::read_file(archive);
    bytes[bytes.size() / 2] ^= 0x20;
    test::write_file(archive, bytes);
    test::write_file(dir / "vault/models/lab/w.safetensors/1.0.0_20261130T130914Z.json", "{bad");
    const auto vault = open();
    EXPECT_EQ(vault->stats().versions, 3u);
    EXPECT_FALSE(vault->find("lab/dqn.pkl", {1, 1, 0}));
    EXPECT_TRUE(vault->find("lab/dqn.pkl", {1, 1, 1}));
    EXPECT_EQ(test::read_file(dir / "vault/legacy/lab/dqn.pkl/1.1.0_20261130T130908Z.tar.zst"),
              bytes);
    EXPECT_TRUE(stdfs::exists(dir / "vault/legacy/lab/w.safetensors/1.0.0_20261130T130914Z.json"));
    EXPECT_TRUE(
        stdfs::exists(dir / "vault/legacy/lab/w.safetensors/1.0.0_20261130T130914Z.tar.zst"));
}

} // namespace
} // namespace mv::vault
