// Run analytics (issue 17): parameters recorded from params_file and searched with
// `list --where`, paging, and listing a whole watch.
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using V = std::vector<std::string>;

class AnalyticsTest : public DaemonTest {
protected:
    // lab/dqn.pkl 1.0.0 (dqn, alpha 0.1), 1.0.1 (dqn, alpha 0.2), lab/ppo.pkl 1.0.0 (ppo,
    // alpha 0.1), and other/x.pkl 1.0.0 without parameters, in that order.
    void runs_with_params() {
        config["watches"][0]["params_file"] = "{stem}.params.json";
        std::filesystem::create_directories(dir / "other");
        config["watches"].push_back(
            {{"name", "other"}, {"path", (dir / "other").string()}, {"settle", "200ms"}});
        start_daemon();
        const auto save = [&](const std::string& stem, const json& params, std::size_t count) {
            write_model(stem + ".params.json", params.dump());
            write_model(stem + ".pkl", pickle(stem + params.dump()));
            ASSERT_TRUE(wait_for_versions("lab/" + stem + ".pkl", count)) << params;
            // Creation times are whole seconds: one second apart, the order is certain.
            std::this_thread::sleep_for(1100ms);
        };
        save("dqn", {{"algorithm", "dqn"}, {"alpha", 0.1}, {"net", {{"layers", 3}}}}, 1);
        save("dqn", {{"algorithm", "dqn"}, {"alpha", 0.2}, {"net", {{"layers", 4}}}}, 2);
        save("ppo", {{"algorithm", "ppo"}, {"alpha", 0.1}}, 1);
        std::ofstream(dir / "other" / "x.pkl") << pickle("x");
        ASSERT_TRUE(wait_for_versions("other/x.pkl", 1));
    }

    // "MODEL VERSION" of each row `list ARGS --json` prints.
    V listed(std::vector<std::string> args) {
        args.insert(args.begin(), "list");
        V rows;
        const auto result = ctl_json(args);
        EXPECT_TRUE(result.contains("versions")) << result.dump();
        for (const auto& v : result.value("versions", json::array())) {
            rows.push_back(v["model"].get<std::string>() + " " + v["version"].get<std::string>());
        }
        return rows;
    }
};

TEST_F(AnalyticsTest, ParamsAreRecordedAndSearchable) {
    runs_with_params();
    // The whole params file is in the manifest, and `show` prints it.
    const auto shown = ctl_json({"show", "lab/dqn.pkl@1.0.0"});
    EXPECT_EQ(shown["params"],
              json({{"algorithm", "dqn"}, {"alpha", 0.1}, {"net", {{"layers", 3}}}}));
    const auto text = ctl({"show", "lab/dqn.pkl@1.0.1"});
    EXPECT_NE(text.out.find("params\n{\n  \"algorithm\": \"dqn\""), std::string::npos) << text.out;
    EXPECT_EQ(ctl_json({"show", "other/x.pkl"})["params"], json::object());

    EXPECT_EQ(listed({"--where", "params.alpha==0.1"}),
              (V{"lab/ppo.pkl 1.0.0", "lab/dqn.pkl 1.0.0"}));
    EXPECT_EQ(listed({"--where", "params.algorithm==dqn"}),
              (V{"lab/dqn.pkl 1.0.1", "lab/dqn.pkl 1.0.0"}));
    EXPECT_EQ(listed({"--where", "params.algorithm!='dqn'"}), (V{"lab/ppo.pkl 1.0.0"}));
    EXPECT_EQ(listed({"--where", "params.net.layers>3"}), (V{"lab/dqn.pkl 1.0.1"}));
    EXPECT_EQ(listed({"--where", "params.alpha>=0.1", "--sort", "params.alpha:asc", "--limit", "1"})
                  .size(),
              1u);
    // The fields named are columns of the table.
    const auto table = ctl({"list", "lab/dqn.pkl", "--where", "params.algorithm==dqn"});
    EXPECT_NE(table.out.find("PARAMS.ALGORITHM"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find(" dqn "), std::string::npos) << table.out;
}

TEST_F(AnalyticsTest, PagingAndWholeWatches) {
    runs_with_params();
    EXPECT_EQ(listed({}).size(), 4u);
    EXPECT_EQ(listed({"--offset", "1", "--limit", "2"}),
              (V{"lab/ppo.pkl 1.0.0", "lab/dqn.pkl 1.0.1"}));
    EXPECT_EQ(listed({"--offset", "3"}), (V{"lab/dqn.pkl 1.0.0"}));
    EXPECT_EQ(listed({"--offset", "9"}), V{});
    // A watch's name lists every model of that watch.
    EXPECT_EQ(listed({"lab"}), (V{"lab/ppo.pkl 1.0.0", "lab/dqn.pkl 1.0.1", "lab/dqn.pkl 1.0.0"}));
    EXPECT_EQ(listed({"other"}), (V{"other/x.pkl 1.0.0"}));
    const auto unknown = ctl({"list", "nosuch"});
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.err.find("no model or watch nosuch"), std::string::npos) << unknown.err;
}

TEST_F(AnalyticsTest, BadInputIsExplained) {
    config["watches"][0]["params_file"] = "{stem}.params.json";
    start_daemon();
    // A params file that is not a JSON object records nothing; the backup goes on.
    write_model("a.params.json", "[1, 2]");
    write_model("a.pkl", pickle("a"));
    ASSERT_TRUE(wait_for_versions("lab/a.pkl", 1));
    EXPECT_EQ(ctl_json({"show", "lab/a.pkl"})["params"], json::object());
    EXPECT_TRUE(wait_until([&] {
        return daemon_log().find("no parameters recorded, cannot read params_file: a.params.json "
                                 "is not a JSON object") != std::string::npos;
    }));
    for (const char* bad : {"params.alpha=0.1", "params.algorithm<dqn", "params.==1", "alpha"}) {
        const auto refused = ctl({"list", "--where", bad});
        EXPECT_EQ(refused.exit_code, 2) << bad;
        EXPECT_NE(refused.err.find("FIELD OP VALUE"), std::string::npos) << refused.err;
    }
    const auto offset = ctl({"list", "--offset", "-1"});
    EXPECT_EQ(offset.exit_code, 2);
    EXPECT_NE(offset.err.find("--offset needs a non-negative whole number"), std::string::npos)
        << offset.err;
    // A field no version records is named.
    const auto misspelled = ctl({"list", "--where", "params.alhpa==0.1"});
    EXPECT_EQ(misspelled.exit_code, 0);
    EXPECT_NE(misspelled.err.find("no version records \"params.alhpa\""), std::string::npos)
        << misspelled.err;
}

} // namespace
} // namespace mv::test

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class AnnotateTest : public DaemonTest {};

TEST_F(AnnotateTest, NotesAreRecordedShownAndAudited) {
    start_daemon();
    write_model("dqn.pkl", pickle("first"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    const auto added =
        ctl({"note", "lab/dqn.pkl@1.0.0", "diverged at 3k steps", "--tag", "lr", "--tag", "bad"});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    EXPECT_EQ(added.out, "lab/dqn.pkl 1.0.0: note added (1 in all)\n");
    const auto shown = ctl_json({"show", "lab/dqn.pkl@1.0.0"});
    ASSERT_EQ(shown["notes"].size(), 1u);
    EXPECT_EQ(shown["notes"][0]["text"], "diverged at 3k steps");
    EXPECT_EQ(shown["notes"][0]["tags"], json({"bad", "lr"}));
    EXPECT_EQ(shown["notes"][0]["uid"], ::getuid());
    EXPECT_EQ(shown["revision"], 1);
    EXPECT_NE(ctl({"show", "lab/dqn.pkl"}).out.find("note      diverged at 3k steps (root"),
              std::string::npos);
    const auto table = ctl({"list"});
    EXPECT_NE(table.out.find("NOTE"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("diverged at 3k steps"), std::string::npos) << table.out;
    // The note survives a restart (it is in the manifest) and is audited.
    stop_daemon();
    start_daemon();
    EXPECT_EQ(ctl_json({"show", "lab/dqn.pkl"})["notes"].size(), 1u);
    const auto audit = ctl_json({"audit"});
    const auto records = audit.is_array() ? audit : audit.value("records", json::array());
    EXPECT_NE(records.dump().find("\"command\":\"note\""), std::string::npos) << audit.dump();
    // Bad input is explained.
    const auto empty = ctl({"note", "lab/dqn.pkl@1.0.0", ""});
    EXPECT_EQ(empty.exit_code, 2);
    EXPECT_NE(empty.err.find("a note needs 1 to 4096 bytes"), std::string::npos) << empty.err;
    EXPECT_NE(ctl({"note", "lab/dqn.pkl@1.0.0", "x", "--tag", "best"}).err.find("maintained by"),
              std::string::npos);
    EXPECT_EQ(ctl({"note", "lab/dqn.pkl@9.9.9", "x"}).exit_code, 1);
}

TEST_F(AnnotateTest, BackupNoteOnUnchangedContentGoesToTheVersionThatHoldsIt) {
    start_daemon();
    write_model("dqn.pkl", pickle("same"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    const auto out = ctl({"backup", "lab/dqn.pkl", "--note", "checked by hand"});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    EXPECT_NE(out.out.find("lab/dqn.pkl unchanged, same as 1.0.0\nlab/dqn.pkl note attached to "
                           "1.0.0\n"),
              std::string::npos)
        << out.out;
    const auto notes = ctl_json({"show", "lab/dqn.pkl@1.0.0"})["notes"];
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0]["text"], "checked by hand");
}

TEST_F(AnnotateTest, DeleteRefusesProtectedVersionsAndReclaimsSpace) {
    config["watches"][0]["triggers"] = {{"improvement", {{"metric", "/score"}}}};
    config["watches"][0]["retention"] = {{"keep_last", 10}, {"keep_tags", {"pinned"}}};
    start_daemon();
    for (int i = 0; i < 3; ++i) {
        // Scores 3, 2, 1: the first version stays best.
        write_model("m.metrics.json", json{{"score", 3 - i}}.dump());
        write_model("m.pkl",
                    pickle(std::string(300000, static_cast<char>('a' + i)) + std::to_string(i)));
        ASSERT_TRUE(wait_for_versions("lab/m.pkl", static_cast<std::size_t>(i) + 1));
    }
    ASSERT_EQ(ctl({"tag", "lab/m.pkl@1.0.1", "add", "pinned"}).exit_code, 0);
    // best (1.0.0) and the pinned tag (1.0.1) protect; the error says what to do.
    const auto best = ctl({"delete", "lab/m.pkl@1.0.0"});
    EXPECT_EQ(best.exit_code, 1);
    EXPECT_NE(best.err.find("lab/m.pkl 1.0.0 is protected (it is best); pass --force"),
              std::string::npos)
        << best.err;
    EXPECT_NE(ctl({"delete", "lab/m.pkl@1.0.1"}).err.find("its tag 'pinned' is kept by retention"),
              std::string::npos);
    EXPECT_EQ(ctl({"delete", "lab/m.pkl"}).exit_code, 2); // the version must be named
    EXPECT_EQ(ctl({"delete", "lab/m.pkl@7.0.0"}).exit_code, 1);
    // An unprotected version goes, with its space; its number stays taken.
    const auto deleted = ctl_json({"delete", "lab/m.pkl@1.0.2"});
    EXPECT_EQ(deleted["version"], "1.0.2");
    EXPECT_GT(deleted["reclaimed_bytes"].get<std::uint64_t>(), 0u) << deleted.dump();
    EXPECT_EQ(versions("lab/m.pkl").size(), 2u);
    const auto history = ctl_json({"history", "lab/m.pkl"})["history"];
    ASSERT_FALSE(history.empty());
    EXPECT_EQ(history.back()["pointer"], "removed");
    EXPECT_EQ(history.back()["uid"], ::getuid());
    EXPECT_NE(history.back()["reason"].get<std::string>().find("deleted with modelvaultctl delete"),
              std::string::npos);
    // --force deletes best and clears the pointer.
    ASSERT_EQ(ctl({"delete", "lab/m.pkl@1.0.0", "--force"}).exit_code, 0);
    EXPECT_TRUE(ctl_json({"history", "lab/m.pkl"})["best"].is_null());
    EXPECT_EQ(versions("lab/m.pkl").size(), 1u);
    const auto audit = ctl_json({"audit"}).dump();
    EXPECT_NE(audit.find("\"command\":\"delete\""), std::string::npos) << audit;
}

} // namespace
} // namespace mv::test

namespace mv::test {
namespace {

using nlohmann::json;

class CompareTest : public DaemonTest {};

TEST_F(CompareTest, NWayTableMarksWhatDiffers) {
    config["watches"][0]["params_file"] = "{stem}.params.json";
    start_daemon();
    const std::string weights(200000, 'w');
    for (int i = 0; i < 3; ++i) {
        write_model("dqn.params.json", json{{"algorithm", "dqn"}, {"alpha", 0.1 * (i + 1)}}.dump());
        write_model("dqn.pkl", pickle(weights + std::to_string(i)));
        ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", static_cast<std::size_t>(i) + 1));
    }
    const auto result =
        ctl_json({"compare", "lab/dqn.pkl@1.0.0", "lab/dqn.pkl@1.0.1", "lab/dqn.pkl@1.0.2"});
    ASSERT_EQ(result["versions"].size(), 3u) << result.dump();
    json alpha, algorithm;
    for (const auto& row : result["rows"]) {
        if (row["key"] == "alpha") {
            alpha = row;
        } else if (row["key"] == "algorithm") {
            algorithm = row;
        }
    }
    EXPECT_TRUE(alpha["differs"].get<bool>());
    EXPECT_EQ(alpha["values"].size(), 3u);
    EXPECT_FALSE(algorithm["differs"].get<bool>());
    // A copy of 1.0.0's bytes under another name shares all of its chunks.
    write_model("copy.pkl", pickle(weights + "0"));
    ASSERT_TRUE(wait_for_versions("lab/copy.pkl", 1));
    const auto shared = ctl_json({"compare", "lab/dqn.pkl@1.0.0", "lab/copy.pkl@1.0.0"});
    EXPECT_GT(shared["shared_bytes"].get<std::uint64_t>(), 0u) << shared.dump();
    const auto table = ctl({"compare", "lab/dqn.pkl@1.0.0", "lab/dqn.pkl@1.0.2"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("* "), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("params   alpha"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("shared by all"), std::string::npos) << table.out;
    // Bad input is explained.
    EXPECT_EQ(ctl({"compare", "lab/dqn.pkl@1.0.0"}).exit_code, 2);
    const auto missing = ctl({"compare", "lab/dqn.pkl@1.0.0", "lab/dqn.pkl@9.0.0"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("9.0.0"), std::string::npos) << missing.err;
}

} // namespace
} // namespace mv::test

namespace mv::test {
namespace {

using nlohmann::json;

class StatsTest : public DaemonTest {};

TEST_F(StatsTest, CountsBytesAndMetricsPerAlgorithm) {
    config["watches"][0]["params_file"] = "{stem}.params.json";
    config["watches"][0]["triggers"] = {{"improvement", {{"metric", "/reward"}}}};
    start_daemon();
    const auto save = [&](const std::string& stem, const std::string& algorithm, int reward,
                          std::size_t count) {
        write_model(stem + ".params.json", json{{"algorithm", algorithm}}.dump());
        write_model(stem + ".metrics.json", json{{"reward", reward}}.dump());
        write_model(stem + ".pkl", pickle(stem + std::to_string(reward)));
        ASSERT_TRUE(wait_for_versions("lab/" + stem + ".pkl", count));
    };
    save("a", "dqn", 10, 1);
    save("a", "dqn", 30, 2);
    save("b", "ppo", 20, 1);
    const auto all = ctl_json({"stats"});
    EXPECT_EQ(all["versions"], 3);
    EXPECT_EQ(all["models"], 2);
    EXPECT_GT(all["logical_bytes"].get<std::uint64_t>(), 0u);
    EXPECT_EQ(all["metrics"]["/reward"]["max"], 30.0);
    EXPECT_EQ(all["metrics"]["/reward"]["best_version"], "lab/a.pkl@1.1.0");
    const auto by = ctl_json({"stats", "lab", "--by", "params.algorithm", "--over", "day"});
    ASSERT_EQ(by["groups"].size(), 2u) << by.dump();
    EXPECT_EQ(by["groups"][0]["group"], "dqn");
    EXPECT_EQ(by["groups"][0]["metrics"]["/reward"]["mean"], 20.0);
    EXPECT_EQ(by["periods"].size(), 1u);
    EXPECT_EQ(ctl_json({"stats", "lab/b.pkl"})["versions"], 1);
    // status shows each watch's bytes too.
    const auto watch = ctl_json({"status"})["watches"][0];
    EXPECT_EQ(watch["logical_bytes"], all["logical_bytes"]);
    EXPECT_EQ(watch["stored_bytes"], all["stored_bytes"]);
    EXPECT_NE(ctl({"status"}).out.find("LOGICAL  STORED"), std::string::npos);
    const auto table = ctl({"stats", "--by", "params.algorithm"});
    EXPECT_NE(table.out.find("3 versions of 2 models"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("BY params.algorithm  VERSIONS"), std::string::npos)
        << table.out << table.err;
    // Bad input is explained.
    const auto over = ctl({"stats", "--over", "month"});
    EXPECT_EQ(over.exit_code, 2);
    EXPECT_NE(over.err.find("not day or week"), std::string::npos) << over.err;
    EXPECT_EQ(ctl({"stats", "--by", "params."}).exit_code, 2);
    EXPECT_EQ(ctl({"stats", "nosuch"}).exit_code, 1);
}

} // namespace
} // namespace mv::test
