// Legal names and times at the edges (issue 10): 255-byte file names whose vault folder
// name would be longer, restores beside 255-byte names, times after 2262, and imports of
// archives whose manifest is invalid or too large.
#include <fcntl.h>
#include <sys/stat.h>

#include "tests/integration/daemon_fixture.hpp"
#include "util/escape.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// `length` bytes: `unit` repeated, then ".pkl".
std::string long_name(const std::string& unit, std::size_t length) {
    std::string name;
    while (name.size() + unit.size() <= length - 4) {
        name += unit;
    }
    while (name.size() < length - 4) {
        name += 'x';
    }
    return name + ".pkl";
}

TEST_F(DaemonTest, TwoHundredFiftyFiveByteNamesAreBackedUpRestoredAndRolledBack) {
    // Spaces and invalid UTF-8 become %20 and %ff in the vault: three times longer than
    // the name, over the 255 bytes a folder name may have ("File name too long" for ever
    // before the fix). The UTF-8 name fits, but the restore's temporary name beside it
    // did not.
    const std::vector<std::string> names = {long_name("w ", 255), long_name("\xff", 255),
                                            long_name("\xc3\xa9", 255)};
    start_daemon();
    for (const auto& name : names) {
        ASSERT_EQ(name.size(), 255u);
        const std::string model = "lab/" + escape_name(name);
        write_model(name, pickle("first " + name));
        ASSERT_TRUE(wait_for_versions(model, 1)) << model << "\n" << daemon_log();
        // Restore into a new folder.
        const auto target = dir / "restored";
        const auto restored = ctl({"restore", model, "--to", target.string()});
        ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
        EXPECT_EQ(read_file(target / name), pickle("first " + name));
        // Roll back over a newer version in the watched folder.
        write_model(name, pickle("second " + name));
        ASSERT_TRUE(wait_for_versions(model, 2)) << model;
        const auto rolled = ctl({"rollback", model + "@1.0.0"});
        ASSERT_EQ(rolled.exit_code, 0) << rolled.out << rolled.err;
        EXPECT_EQ(read_file(models / name), pickle("first " + name));
        std::filesystem::remove_all(target);
    }
    EXPECT_EQ(ctl({"verify", "--all"}).exit_code, 0);
}

TEST_F(DaemonTest, TimesAfter2262AreRefusedNotWrappedAround) {
    write_model("dqn.pkl", pickle("weights"));
    // A file stamped in the year 3000 (a broken clock): its time must not become 1830.
    const struct timespec far[2] = {{0, UTIME_OMIT}, {32'503'680'000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (models / "dqn.pkl").c_str(), far, 0), 0);
    start_daemon();
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    struct stat st {};
    ASSERT_EQ(::stat((models / "dqn.pkl").c_str(), &st), 0);
    if (st.st_mtim.tv_sec > 9'300'000'000) { // the file system keeps times past 2262
        const auto shown = ctl_json({"show", "lab/dqn.pkl"});
        EXPECT_EQ(shown["files"][0]["mtime"], "2262-04-11T23:47:16Z") << shown.dump(2);
    }
    // list --since 3000-01-01 listed everything; @3000-01-01 said 1830-11-23.
    const auto since = ctl({"list", "--since", "3000-01-01"});
    EXPECT_EQ(since.exit_code, 2) << since.out << since.err;
    EXPECT_NE(since.err.find("out of range"), std::string::npos) << since.err;
    for (const char* target : {"lab/dqn.pkl@3000-01-01", "lab/dqn.pkl@@3000-01-01"}) {
        const auto at = ctl({"show", target});
        EXPECT_NE(at.exit_code, 0) << target << at.out;
        EXPECT_NE(at.err.find("out of range"), std::string::npos) << target << at.err;
        EXPECT_EQ(at.err.find("1830"), std::string::npos) << at.err;
    }
    // Import with --time in the year 3000.
    write_file(dir / "old.pkl", pickle("old"));
    const auto imported = ctl({"import", (dir / "old.pkl").string(), "--model", "lab/old.pkl",
                               "--time", "3000-01-01T00:00:00Z", "--new-model"});
    EXPECT_NE(imported.exit_code, 0) << imported.out;
    EXPECT_NE(imported.err.find("out of range"), std::string::npos) << imported.err;
}

class ImportCheckTest : public DaemonTest {
protected:
    // An archive of lab/dqn.pkl 1.0.0 (`modelvaultctl export`), unpacked into `staging` to
    // be tampered with.
    void unpack_a_version() {
        start_daemon();
        write_model("dqn.pkl", pickle("weights"));
        ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
        const auto exported = dir / "exported.tar.zst";
        const auto out = ctl({"export", "lab/dqn.pkl", "-o", exported.string()});
        ASSERT_EQ(out.exit_code, 0) << out.out << out.err;
        std::filesystem::create_directories(staging);
        ASSERT_EQ(
            run({"tar", "--zstd", "-xf", exported.string(), "-C", staging.string()}).exit_code, 0);
        ASSERT_TRUE(std::filesystem::exists(staging / "manifest.json"));
    }

    // Packs `staging` again, manifest.json first, and imports it as lab/copy.pkl.
    CommandResult repack_and_import() {
        const auto archive = dir / "tampered.tar.zst";
        const auto packed = run({"tar", "--zstd", "-cf", archive.string(), "-C", staging.string(),
                                 "manifest.json", "model", "README.md"});
        EXPECT_EQ(packed.exit_code, 0) << packed.err;
        // lab/copy.pkl is a model no watch sees: --new-model (issue 11).
        return ctl({"import", archive.string(), "--model", "lab/copy.pkl", "--new-model"});
    }

    std::filesystem::path staging = dir / "staging";
};

TEST_F(ImportCheckTest, AnArchiveWithAnInvalidManifestIsRefusedNotStoredAsAModelFile) {
    unpack_a_version();
    auto manifest = json::parse(read_file(staging / "manifest.json"));
    manifest["version"] = "1.x";
    write_file(staging / "manifest.json", manifest.dump());
    const auto out = repack_and_import();
    EXPECT_EQ(out.exit_code, 1) << out.out << out.err;
    EXPECT_NE((out.out + out.err).find("manifest.json is invalid"), std::string::npos)
        << out.out << out.err;
    EXPECT_TRUE(versions("lab/copy.pkl").empty());
}

TEST_F(ImportCheckTest, AnArchiveWithAnOversizedManifestIsRefused) {
    unpack_a_version();
    // 33 MiB of padding: over the 32 MiB a manifest may have (before: 64 MiB, read whole).
    write_file(staging / "manifest.json",
               read_file(staging / "manifest.json") + std::string(33u << 20, ' '));
    const auto out = repack_and_import();
    EXPECT_EQ(out.exit_code, 1) << out.out << out.err;
    EXPECT_NE((out.out + out.err).find("more than the 33554432"), std::string::npos)
        << out.out << out.err;
    EXPECT_TRUE(versions("lab/copy.pkl").empty());
}

} // namespace
} // namespace mv::test
