// Getting models back (issue 5): selectors, rollback, diff, search, and archives crafted
// to escape the restore target.
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"
#include "vault/manifest.hpp"
#include "vault/sha256.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class GettingBackTest : public DaemonTest {
protected:
    // Four versions of lab/dqn.pkl with metrics. Creation times are whole seconds: tests
    // that select by time space the saves apart.
    void history_with_metrics(std::chrono::milliseconds spacing = std::chrono::milliseconds(0)) {
        const std::vector<std::pair<std::string, double>> saves = {{"2026-11-01T10:00", 0.40},
                                                                   {"2026-11-02T10:00", 0.55},
                                                                   {"2026-11-03T10:00", 0.70},
                                                                   {"2026-11-04T10:00", 0.65}};
        config["watches"][0]["triggers"] = {{"improvement", {{"metric", "/eval/win_rate"}}}};
        config["watches"][0]["settle"] = "200ms";
        start_daemon();
        for (std::size_t i = 0; i < saves.size(); ++i) {
            write_model("dqn.metrics.json",
                        json{{"eval", {{"win_rate", saves[i].second}}}, {"episode", 1000 * (i + 1)}}
                            .dump());
            write_model("dqn.pkl", pickle("weights " + std::to_string(i)));
            ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", i + 1)) << i;
            std::this_thread::sleep_for(spacing);
        }
    }
};

TEST_F(GettingBackTest, SelectorsNameTheRightVersion) {
    history_with_metrics(1100ms);
    // 1.0.0 (0.40), 1.1.0 (0.55 best), 1.2.0 (0.70 best), 1.2.1 (0.65)
    const auto version_of = [&](const std::string& target) {
        const auto shown = ctl_json({"show", target});
        return shown.contains("version") ? shown["version"].get<std::string>() : shown.dump();
    };
    EXPECT_EQ(version_of("lab/dqn.pkl"), "1.2.1");
    EXPECT_EQ(version_of("lab/dqn.pkl@latest"), "1.2.1");
    EXPECT_EQ(version_of("lab/dqn.pkl@best"), "1.2.0");
    EXPECT_EQ(version_of("lab/dqn.pkl@1.1.0"), "1.1.0");
    EXPECT_EQ(version_of("lab/dqn.pkl@1.2"), "1.2.1");
    EXPECT_EQ(version_of("lab/dqn.pkl@1"), "1.2.1");
    ASSERT_EQ(ctl({"tag", "lab/dqn.pkl@1.0.0", "add", "prod"}).exit_code, 0);
    EXPECT_EQ(version_of("lab/dqn.pkl@prod"), "1.0.0");
    const auto first = ctl_json({"show", "lab/dqn.pkl@1.0.0"})["created"].get<std::string>();
    EXPECT_EQ(version_of("lab/dqn.pkl@@" + first), "1.0.0");
    EXPECT_EQ(version_of("lab/dqn.pkl@" + first), "1.0.0");
    const auto out = ctl({"show", "lab/dqn.pkl@staging"});
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_NE(out.err.find("lab/dqn.pkl has 1.0.0–1.2.1 (4 versions); no tag 'staging'"),
              std::string::npos)
        << out.err;
    EXPECT_NE(ctl({"show", "lab/dqn.pkl@@2000-01-01"}).err.find("none was made at or before"),
              std::string::npos);
}

TEST_F(GettingBackTest, SearchFiltersAndSortsByMetrics) {
    history_with_metrics(1100ms); // --since/--until compare whole-second creation times
    const auto versions_of = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "list");
        std::vector<std::string> found;
        const auto listed = ctl_json(args);
        EXPECT_TRUE(listed.contains("versions")) << listed.dump();
        for (const auto& v : listed.value("versions", json::array())) {
            found.push_back(v["version"]);
        }
        return found;
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(versions_of({}), (V{"1.2.1", "1.2.0", "1.1.0", "1.0.0"}));
    EXPECT_EQ(versions_of({"--where", "win_rate>=0.6"}), (V{"1.2.1", "1.2.0"}));
    EXPECT_EQ(versions_of({"--where", "/eval/win_rate>0.5", "--where", "episode<=3000"}),
              (V{"1.2.0", "1.1.0"}));
    EXPECT_EQ(versions_of({"--where", "win_rate==0.4"}), (V{"1.0.0"}));
    EXPECT_EQ(versions_of({"--where", "win_rate!=0.4", "--sort", "win_rate"}),
              (V{"1.2.0", "1.2.1", "1.1.0"}));
    EXPECT_EQ(versions_of({"--sort", "win_rate:asc", "--limit", "2"}), (V{"1.0.0", "1.1.0"}));
    EXPECT_EQ(versions_of({"--tag", "best"}), (V{"1.2.0"}));
    const auto created = ctl_json({"show", "lab/dqn.pkl@1.1.0"})["created"].get<std::string>();
    EXPECT_EQ(versions_of({"--until", created}), (V{"1.1.0", "1.0.0"}));
    EXPECT_EQ(versions_of({"--since", created, "--limit", "1"}), (V{"1.2.1"}));
    EXPECT_EQ(versions_of({"--where", "no_such_metric>0"}), V{});
    EXPECT_EQ(ctl({"list", "--where", "win_rate"}).exit_code, 2);
    EXPECT_EQ(ctl({"list", "--where", "win_rate=>0.4"}).exit_code, 2);
    // A misspelled metric is named; a filter that matches nothing says so.
    const auto misspelled = run(
        {binary("modelvaultctl"), "--socket", socket.string(), "list", "--where", "winrate>=0.4"});
    EXPECT_EQ(misspelled.exit_code, 0);
    EXPECT_NE(misspelled.err.find("warning: no version records \"winrate\""), std::string::npos)
        << misspelled.err;
    EXPECT_EQ(misspelled.out, "no version matches these filters\n");
    const auto no_tag =
        run({binary("modelvaultctl"), "--socket", socket.string(), "list", "--tag", "nosuch"});
    EXPECT_EQ(no_tag.out, "no version matches these filters\n");
}

TEST_F(GettingBackTest, RollbackRestoresBytesMarksCurrentAndMakesNoVersion) {
    start_daemon();
    write_model("dqn.pkl", pickle("first"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    write_model("dqn.pkl", pickle("second"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 2));
    const auto out = ctl({"rollback", "lab/dqn.pkl@1.0.0"});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    EXPECT_NE(out.out.find("rolled back to 1.0.0 (was 1.0.1)"), std::string::npos) << out.out;
    EXPECT_EQ(read_file(models / "dqn.pkl"), pickle("first"));
    // The watcher sees the restored file and finds it identical: no new version.
    ASSERT_TRUE(wait_until(
        [&] { return daemon_log().find("unchanged (same as 1.0.0)") != std::string::npos; }));
    EXPECT_EQ(versions("lab/dqn.pkl").size(), 2u);
    // `current` shows in list, show, status and history.
    EXPECT_EQ(versions("lab/dqn.pkl")[1]["tags"], json({"current"}));
    EXPECT_EQ(ctl_json({"show", "lab/dqn.pkl@current"})["version"], "1.0.0");
    const auto status = ctl_json({"status"});
    ASSERT_EQ(status["rolled_back"].size(), 1u);
    EXPECT_EQ(status["rolled_back"][0]["current"], "1.0.0");
    const auto history = ctl_json({"history", "lab/dqn.pkl"});
    ASSERT_EQ(history["history"].size(), 1u);
    EXPECT_EQ(history["history"][0]["to"], "1.0.0");
    EXPECT_EQ(history["history"][0]["uid"], ::getuid());
    EXPECT_NE(history["history"][0]["reason"].get<std::string>().find("rolled back from 1.0.1"),
              std::string::npos);
    // Unsaved changes in the folder are not thrown away without --force. A long settle
    // keeps them unsaved: with 200 ms, a loaded machine backed them up before the
    // rollback arrived, and then there was nothing to refuse.
    config["watches"][0]["settle"] = "1h";
    std::ofstream(config_file) << config.dump();
    ASSERT_EQ(ctl({"reload"}).exit_code, 0);
    write_model("dqn.pkl", pickle("unsaved"));
    const auto refused = ctl({"rollback", "lab/dqn.pkl@1.0.1"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("not backed up yet"), std::string::npos) << refused.err;
}

TEST_F(GettingBackTest, DiffMeasuresIdenticalBlocks) {
    start_daemon();
    // Exactly 4 MiB; version two changes one byte in the third MiB: 3 of 4 blocks identical.
    std::string weights = random_bytes((4u << 20) - 4, 21);
    write_model("big.pkl", pickle(weights));
    ASSERT_TRUE(wait_for_versions("lab/big.pkl", 1));
    weights[(2u << 20) + 100] ^= 0x55;
    write_model("big.pkl", pickle(weights));
    ASSERT_TRUE(wait_for_versions("lab/big.pkl", 2));
    const auto diff = ctl_json({"diff", "lab/big.pkl@1.0.0", "@1.0.1"});
    ASSERT_EQ(diff["files"].size(), 1u) << diff.dump(2);
    EXPECT_EQ(diff["files"][0]["status"], "changed");
    EXPECT_DOUBLE_EQ(diff["files"][0]["identical_blocks"].get<double>(), 0.75);
    const auto human = ctl({"diff", "lab/big.pkl@1.0.0", "lab/big.pkl@1.0.1"});
    EXPECT_NE(human.out.find("75.0%"), std::string::npos) << human.out;
    // Growing the file by one byte changes its last full block and adds a fifth: 3 of 5.
    write_model("big.pkl", pickle(weights + "+"));
    ASSERT_TRUE(wait_for_versions("lab/big.pkl", 3));
    EXPECT_DOUBLE_EQ(
        ctl_json({"diff", "lab/big.pkl@1.0.1", "@1.0.2"})["files"][0]["identical_blocks"]
            .get<double>(),
        0.6);
}

// An archive crafted to write outside the target (a modelvault archive from elsewhere:
// format 1, or an export), brought in with import: the unpacking must refuse it and
// write nothing anywhere. (In format 2 a restore streams what the vault stores, so the
// archive is where crafted members can come from.)
class CraftedArchiveTest : public DaemonTest {
protected:
    void plant(const std::string& manifest_path, const std::string& member_script) {
        // A real vault first (the daemon refuses a non-empty folder that is not one).
        start_daemon();
        ASSERT_EQ(stop_daemon(), 0);
        // manifest.json, then whatever members the script adds, compressed with zstd.
        vault::Manifest m;
        m.format_version = 1; // an archive with its manifest inside, as format 1 made them
        m.model = "lab/evil.pkl";
        m.watch = "lab";
        m.version = {1, 0, 0};
        m.sequence = 1;
        m.created = *parse_time("2026-11-22T08:00:00Z");
        m.bump = "initial";
        vault::FileEntry f;
        f.path = manifest_path;
        f.size = 4;
        f.sha256 = vault::sha256_hex("evil");
        m.files.push_back(f);
        m.archive = {"1.0.0_20261122T080000Z.tar.zst", 0, "", "zstd", 3, false};
        const auto work = dir / "craft";
        std::filesystem::create_directories(work);
        write_file(work / "manifest.json", vault::to_json(m).dump());
        write_file(work / "payload", "evil");
        const auto script =
            fmt::format("import tarfile, io\n"
                        "t = tarfile.open('{0}/archive.tar', 'w', format=tarfile.PAX_FORMAT)\n"
                        "t.add('{0}/manifest.json', arcname='manifest.json')\n"
                        "def member(name, data=b'evil', kind=tarfile.REGTYPE, link=''):\n"
                        "    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link; i.size = "
                        "len(data) if kind == tarfile.REGTYPE else 0\n"
                        "    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)\n"
                        "{1}\n"
                        "member('README.md', b'readme')\n"
                        "t.close()\n",
                        work.string(), member_script);
        write_file(work / "craft.py", script);
        ASSERT_EQ(run({"python3", (work / "craft.py").string()}).exit_code, 0);
        ASSERT_EQ(run({"zstd", "-q", "-f", (work / "archive.tar").string(), "-o",
                       (work / "archive.tar.zst").string()})
                      .exit_code,
                  0);
        std::filesystem::copy_file(work / "archive.tar.zst", dir / "evil.tar.zst");
    }

    void expect_refused() {
        start_daemon();
        const auto out = ctl(
            {"import", (dir / "evil.tar.zst").string(), "--model", "lab/evil.pkl", "--new-model"});
        EXPECT_EQ(out.exit_code, 1) << out.out << out.err;
        EXPECT_NE(out.err.find("nothing was restored"), std::string::npos) << out.err;
        // Nothing anywhere: not in the vault, not next to the archive, not in tmp/.
        EXPECT_TRUE(versions("lab/evil.pkl").empty());
        EXPECT_FALSE(std::filesystem::exists(dir / "escaped"));
        EXPECT_FALSE(std::filesystem::exists(dir / "evil.pkl"));
        EXPECT_TRUE(wait_until([&] { return std::filesystem::is_empty(vault / "tmp"); }));
    }
};

TEST_F(CraftedArchiveTest, DotDotInTheManifestIsRefused) {
    plant("../escaped", "member('model/../escaped')");
    expect_refused();
}

// A manifest in the vault naming a path that restore refuses, every hash matching: verify
// reports it (VaultDamageTest.AManifestCannotSendAFileOutsideTheRestoreTarget).

TEST_F(CraftedArchiveTest, AbsoluteMemberIsRefused) {
    plant("evil.pkl",
          fmt::format("member('model/evil.pkl')\nmember('{}')", (dir / "escaped").string()));
    expect_refused();
}

TEST_F(CraftedArchiveTest, SymlinkMemberIsRefused) {
    plant("evil.pkl", fmt::format("member('model/evil.pkl', kind=tarfile.SYMTYPE, link='{}')",
                                  (dir / "escaped").string()));
    expect_refused();
}

TEST_F(CraftedArchiveTest, HardlinkMemberIsRefused) {
    plant("evil.pkl", "member('model/evil.pkl', kind=tarfile.LNKTYPE, link='/etc/passwd')");
    expect_refused();
}

} // namespace
} // namespace mv::test
