// Retention through the real daemon: a history built with `import --time`, a dry run that
// says exactly what the real prune then does, tags that protect, archives that are gone.
#include <fstream>
#include <set>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using nlohmann::json;

class RetentionTest : public DaemonTest {
protected:
    // Eight saves of lab/dqn.pkl spread over two weeks, imported with their times.
    void import_history() {
        const std::vector<std::string> times = {
            "2026-11-01T10:00", "2026-11-05T10:00", "2026-11-10T09:00", "2026-11-10T18:00",
            "2026-11-11T12:00", "2026-11-12T08:00", "2026-11-12T20:00", "2026-11-13T07:00"};
        for (std::size_t i = 0; i < times.size(); ++i) {
            const auto file = dir / ("old-" + std::to_string(i) + ".pkl");
            write_file(file, pickle("weights " + std::to_string(i)));
            const auto out = ctl({"import", file.string(), "--model", "lab/dqn.pkl", "--time",
                                  times[i], "--new-model"}); // no dqn.pkl in the watched folder
            ASSERT_EQ(out.exit_code, 0) << out.err;
        }
    }
};

TEST_F(RetentionTest, DryRunSaysWhatPruneDoesAndTagsProtect) {
    start_daemon(); // no retention yet: every import stays
    import_history();
    ASSERT_EQ(versions("lab/dqn.pkl").size(), 8u);
    ASSERT_EQ(ctl({"tag", "lab/dqn.pkl@1.0.0", "add", "pinned"}).exit_code, 0);
    // Now a policy: the last 2, one per day for the 3 most recent days, and pinned ones.
    config["watches"][0]["retention"] = {
        {"keep_last", 2}, {"keep_daily", 3}, {"keep_tags", {"pinned"}}};
    // Restarted, not reloaded: the first daily retention pass runs 10 s after a start
    // (daemon.cpp) and applies the policy; under ASan on a busy machine the imports above
    // took longer than that, and the pass pruned before the dry run could look.
    ASSERT_EQ(stop_daemon(), 0);
    start_daemon();

    const auto dry = ctl_json({"prune", "--dry-run"});
    ASSERT_EQ(dry["models"].size(), 1u) << dry.dump(2);
    std::map<std::string, std::string> verdict;
    std::map<std::string, json> reasons;
    for (const auto& v : dry["models"][0]["versions"]) {
        verdict[v["version"]] = v["verdict"];
        reasons[v["version"]] = v["reasons"];
    }
    const std::map<std::string, std::string> expected = {
        {"1.0.7", "keep"},   {"1.0.6", "keep"},   {"1.0.5", "remove"}, {"1.0.4", "keep"},
        {"1.0.3", "remove"}, {"1.0.2", "remove"}, {"1.0.1", "remove"}, {"1.0.0", "keep"}};
    EXPECT_EQ(verdict, expected);
    EXPECT_EQ(reasons["1.0.7"], json({"last #1", "daily #1", "newest"}));
    EXPECT_EQ(reasons["1.0.6"], json({"last #2", "daily #2"}));
    EXPECT_EQ(reasons["1.0.4"], json({"daily #3"}));
    EXPECT_EQ(reasons["1.0.0"], json({"tag pinned"})); // the pinned version survives
    EXPECT_EQ(reasons["1.0.5"], json({"no rule keeps it"}));
    // The dry run removed nothing.
    EXPECT_EQ(versions("lab/dqn.pkl").size(), 8u);

    // The real prune removes exactly what the dry run said, manifests included.
    const auto real = ctl_json({"prune", "lab/dqn.pkl"});
    EXPECT_EQ(real["models"][0]["removed"], 4);
    std::set<std::string> left;
    for (const auto& v : versions("lab/dqn.pkl")) {
        left.insert(v["version"]);
    }
    EXPECT_EQ(left, (std::set<std::string>{"1.0.0", "1.0.4", "1.0.6", "1.0.7"}));
    std::size_t manifests = 0;
    for (const auto& entry : std::filesystem::directory_iterator(vault / "manifests")) {
        manifests += entry.path().extension() == ".json" ? 1 : 0;
    }
    EXPECT_EQ(manifests, 4u);
    EXPECT_EQ(ctl({"verify", "--all", "--read-data"}).exit_code, 0);
    const auto status = ctl_json({"status"});
    EXPECT_EQ(status["counters"]["pruned_versions"], 4);
    EXPECT_GT(status["counters"]["reclaimed_bytes"].get<long>(), 0);
    // The remaining versions survive a restart intact.
    EXPECT_EQ(stop_daemon(), 0);
    start_daemon();
    EXPECT_EQ(versions("lab/dqn.pkl").size(), 4u);
}

TEST_F(RetentionTest, MaxVersionsCapsButNeverDropsProtectedVersions) {
    config["watches"][0]["retention"] = {
        {"keep_last", 10}, {"max_versions", 2}, {"keep_tags", {"pinned"}}};
    start_daemon();
    write_file(dir / "a.pkl", pickle("a"));
    ASSERT_EQ(ctl({"import", (dir / "a.pkl").string(), "--model", "lab/m.pkl", "--time",
                   "2026-01-01", "--new-model"})
                  .exit_code,
              0);
    ASSERT_EQ(ctl({"tag", "lab/m.pkl@1.0.0", "add", "pinned"}).exit_code, 0);
    for (int i = 0; i < 4; ++i) {
        write_model("m.pkl", pickle("v" + std::to_string(i)));
        ASSERT_TRUE(wait_for_versions("lab/m.pkl", 2)) << i;
        ASSERT_EQ(ctl({"backup", "lab/m.pkl"}).exit_code, 0);
    }
    // Pruned after every new version: the pinned one and the newest remain.
    const auto v = versions("lab/m.pkl");
    ASSERT_EQ(v.size(), 2u) << v.dump(2);
    EXPECT_EQ(v[1]["version"], "1.0.0");
    EXPECT_EQ(v[1]["tags"], json({"pinned"}));
}

TEST_F(RetentionTest, TagsAreEditedAndValidated) {
    start_daemon();
    write_model("t.pkl", pickle("t"));
    ASSERT_TRUE(wait_for_versions("lab/t.pkl", 1));
    EXPECT_EQ(ctl({"tag", "lab/t.pkl", "add", "baseline"}).out, "lab/t.pkl 1.0.0: tags baseline\n");
    EXPECT_EQ(ctl_json({"show", "lab/t.pkl@baseline"})["version"], "1.0.0");
    EXPECT_EQ(versions("lab/t.pkl")[0]["tags"], json({"baseline"}));
    auto out = ctl({"tag", "lab/t.pkl", "add", "best"});
    EXPECT_EQ(out.exit_code, 2);
    EXPECT_NE(out.err.find("maintained by modelvaultd"), std::string::npos) << out.err;
    EXPECT_EQ(ctl({"tag", "lab/t.pkl", "add", "bad tag"}).exit_code, 2);
    out = ctl({"tag", "lab/t.pkl", "rm", "prod"});
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_NE(out.err.find("has no tag 'prod'"), std::string::npos) << out.err;
    EXPECT_EQ(ctl({"tag", "lab/t.pkl@baseline", "rm", "baseline"}).exit_code, 0);
    EXPECT_EQ(versions("lab/t.pkl")[0]["tags"], json::array());
    // Tags live in the sidecar: they survive a restart.
    ASSERT_EQ(ctl({"tag", "lab/t.pkl", "add", "keep-me"}).exit_code, 0);
    EXPECT_EQ(stop_daemon(), 0);
    start_daemon();
    EXPECT_EQ(versions("lab/t.pkl")[0]["tags"], json({"keep-me"}));
}

TEST_F(RetentionTest, ImportedArchivesKeepTheirVersionAndTime) {
    start_daemon();
    // Big enough that the middle of its archive is model data.
    const std::string weights = random_bytes(200000, 4);
    write_model("orig.pkl", pickle("original" + weights));
    ASSERT_TRUE(wait_for_versions("lab/orig.pkl", 1));
    ASSERT_EQ(ctl({"backup", "lab/orig.pkl", "--bump", "major"}).exit_code, 0); // unchanged
    write_model("orig.pkl", pickle("second" + weights));
    ASSERT_TRUE(wait_for_versions("lab/orig.pkl", 2));
    const auto source = ctl_json({"show", "lab/orig.pkl"});
    ASSERT_EQ(ctl({"export", "lab/orig.pkl", "-o", (dir / "exported.tar.zst").string()}).exit_code,
              0);
    // The archive becomes a version of another model, with its number and creation time.
    auto out = ctl(
        {"import", (dir / "exported.tar.zst").string(), "--model", "lab/copy.pkl", "--new-model"});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    const auto copy = ctl_json({"show", "lab/copy.pkl"});
    EXPECT_EQ(copy["version"], source["version"]);
    EXPECT_EQ(copy["created"], source["created"]);
    EXPECT_EQ(copy["trigger"], "import");
    EXPECT_EQ(copy["files"][0]["sha256"], source["files"][0]["sha256"]);
    EXPECT_NE(copy["reason"].get<std::string>().find("lab/orig.pkl 1.0.1"), std::string::npos);
    // The same version number twice is refused; a plain file gets the next patch.
    out = ctl({"import", (dir / "exported.tar.zst").string(), "--model", "lab/copy.pkl"});
    EXPECT_EQ(out.exit_code, 0); // identical content: unchanged
    EXPECT_NE(out.out.find("unchanged"), std::string::npos) << out.out;
    write_file(dir / "other.pkl", pickle("other"));
    out = ctl(
        {"import", (dir / "other.pkl").string(), "--model", "lab/copy.pkl", "--version", "1.0.1"});
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_NE(out.err.find("already has a version 1.0.1"), std::string::npos) << out.err;
    out = ctl({"import", (dir / "other.pkl").string(), "--model", "lab/copy.pkl"});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    EXPECT_EQ(versions("lab/copy.pkl")[0]["version"], "1.0.2");
    // A damaged archive is refused by its hashes and nothing is stored.
    {
        std::fstream f(dir / "exported.tar.zst", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(
            static_cast<std::streamoff>(std::filesystem::file_size(dir / "exported.tar.zst") / 2));
        f.put('\xff');
    }
    out = ctl(
        {"import", (dir / "exported.tar.zst").string(), "--model", "lab/third.pkl", "--new-model"});
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_TRUE(versions("lab/third.pkl").empty());
    EXPECT_EQ(ctl({"verify", "--all"}).exit_code, 0);
    EXPECT_EQ(ctl({"import", (dir / "absent.pkl").string(), "--model", "lab/x.pkl"}).exit_code, 1);
    EXPECT_EQ(ctl({"import", (dir / "other.pkl").string()}).exit_code, 2); // no --model
}

TEST_F(RetentionTest, ImportedHistoryIsNamedNotPrunedAndRemovedNumbersAreNeverReused) {
    config["watches"][0]["retention"] = {{"keep_last", 1}};
    start_daemon();
    write_model("dqn.pkl", pickle("today"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    // An old copy, imported: it is stored and named as what the next pass would remove.
    write_file(dir / "old.pkl", pickle("last year"));
    const auto imported = ctl(
        {"import", (dir / "old.pkl").string(), "--model", "lab/dqn.pkl", "--time", "2025-01-01"});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    EXPECT_NE(imported.err.find("warning: the retention policy would remove lab/dqn.pkl 1.0.1"),
              std::string::npos)
        << imported.err;
    EXPECT_NE(imported.err.find("keep_tags"), std::string::npos) << imported.err;
    EXPECT_EQ(versions("lab/dqn.pkl").size(), 2u);

    // A prune removes it and records why; its number stays taken, across a restart too.
    EXPECT_EQ(ctl_json({"prune", "lab/dqn.pkl"})["models"][0]["removed"], 1);
    const auto history = ctl_json({"history", "lab/dqn.pkl"})["history"];
    ASSERT_FALSE(history.empty());
    EXPECT_EQ(history.back()["pointer"], "removed");
    EXPECT_EQ(history.back()["from"], "1.0.1");
    EXPECT_EQ(history.back()["reason"], "retention: no rule keeps it");
    const auto newest_is = [&](const std::string& version) {
        return wait_until([&] {
            const auto v = versions("lab/dqn.pkl");
            return !v.empty() && v[0]["version"] == version;
        });
    };
    write_model("dqn.pkl", pickle("tomorrow"));
    ASSERT_TRUE(newest_is("1.0.2")) << versions("lab/dqn.pkl").dump(); // 1.0.0 then goes
    EXPECT_EQ(stop_daemon(), 0);
    start_daemon();
    write_model("dqn.pkl", pickle("the day after"));
    ASSERT_TRUE(newest_is("1.0.3")) << versions("lab/dqn.pkl").dump();
    EXPECT_EQ(ctl_json({"show", "lab/dqn.pkl"})["sequence"], 4);

    // With keep_tags, the warning names the command that keeps the version.
    config["watches"][0]["retention"] = {{"keep_last", 1}, {"keep_tags", {"pinned"}}};
    std::ofstream(config_file) << config.dump();
    ASSERT_EQ(ctl({"reload"}).exit_code, 0);
    const auto again = ctl(
        {"import", (dir / "old.pkl").string(), "--model", "lab/dqn.pkl", "--time", "2025-01-01"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.err.find("keep it with a tag the policy keeps: `modelvaultctl tag "
                             "lab/dqn.pkl@1.0.4 add pinned`"),
              std::string::npos)
        << again.err;
}

} // namespace
} // namespace mv::test
