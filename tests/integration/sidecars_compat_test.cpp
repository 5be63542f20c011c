// Sidecars that keep their folders and glob templates, and restores checked against the
// compat values of the run that will load them (issue 11, docs/CONFIG.md).
#include <fstream>

#include <gmock/gmock.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::HasSubstr;

std::vector<std::string> paths_of(const json& manifest, const std::string& role) {
    std::vector<std::string> paths;
    for (const auto& f : manifest["files"]) {
        if (f["role"] == role) {
            paths.push_back(f["path"]);
        }
    }
    std::sort(paths.begin(), paths.end());
    return paths;
}

TEST_F(DaemonTest, SidecarsKeepTheirFoldersThroughRestoreDiffAndRollback) {
    config["watches"][0]["sidecars"] = {"logs/*.log", "train.log", "{stem}.metrics.json"};
    start_daemon();
    // Two files named train.log in two folders, and a glob over one of them.
    write_model("logs/train.log", "epoch 1\n");
    write_model("logs/eval.log", "eval 1\n");
    write_model("train.log", "top-level log\n");
    write_model("dqn.metrics.json", R"({"loss": 1})");
    write_model("dqn.pkl", pickle("weights 1"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    const auto shown = ctl_json({"show", "lab/dqn.pkl@1.0.0"});
    EXPECT_EQ(paths_of(shown, "sidecar"),
              (std::vector<std::string>{"dqn.metrics.json", "logs/eval.log", "logs/train.log",
                                        "train.log"}));
    // The export holds them under sidecars/, folders and all (tar opens it).
    const auto archive = dir / "exported.tar.zst";
    ASSERT_EQ(ctl({"export", "lab/dqn.pkl@1.0.0", "-o", archive.string()}).exit_code, 0);
    const auto listed = run({"tar", "--zstd", "-tf", archive.string()});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_THAT(listed.out, HasSubstr("sidecars/logs/train.log\n"));
    EXPECT_THAT(listed.out, HasSubstr("sidecars/train.log\n"));

    // Restore puts each where it was, below the model.
    const auto target = dir / "restored";
    ASSERT_EQ(ctl({"restore", "lab/dqn.pkl@1.0.0", "--to", target.string()}).exit_code, 0);
    EXPECT_EQ(read_file(target / "logs/train.log"), "epoch 1\n");
    EXPECT_EQ(read_file(target / "train.log"), "top-level log\n");
    EXPECT_EQ(read_file(target / "dqn.pkl"), pickle("weights 1"));

    // diff names the sidecar by its folder.
    write_model("logs/train.log", "epoch 2\n");
    write_model("dqn.pkl", pickle("weights 2"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 2));
    const auto diff = ctl_json({"diff", "lab/dqn.pkl@1.0.0", "@1.0.1"});
    std::map<std::string, std::string> status;
    for (const auto& f : diff["files"]) {
        status[f["member"]] = f["status"];
    }
    EXPECT_EQ(status["sidecars/logs/train.log"], "changed") << diff.dump(2);
    EXPECT_EQ(status["sidecars/train.log"], "same") << diff.dump(2);

    // Rollback puts the model back and leaves the sidecars in the folder as they are.
    ASSERT_EQ(ctl({"rollback", "lab/dqn.pkl@1.0.0"}).exit_code, 0);
    EXPECT_EQ(read_file(models / "dqn.pkl"), pickle("weights 1"));
    EXPECT_EQ(read_file(models / "logs/train.log"), "epoch 2\n");
}

class CompatTest : public DaemonTest {
protected:
    void SetUp() override {
        DaemonTest::SetUp();
        config["watches"][0]["compat"] = {{"file", "config.json"},
                                          {"keys", {"/observation_space_shape", "/action_space"}}};
    }
    // The next save of dqn.pkl with `compat` as its config.json (none when null).
    void save(std::size_t count, const json& compat) {
        if (compat.is_null()) {
            std::filesystem::remove(models / "config.json");
        } else {
            write_model("config.json", compat.dump());
        }
        write_model("dqn.pkl", pickle("weights " + std::to_string(count)));
        ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", count));
    }
};

TEST_F(CompatTest, AKeyChangedAcrossAVersionWithoutItIsStillAMajor) {
    start_daemon();
    save(1, {{"observation_space_shape", {16}}, {"action_space", 4}});
    save(2, nullptr); // the compat file is missing for one save
    save(3, {{"observation_space_shape", {12}}, {"action_space", 4}});
    const auto v = versions("lab/dqn.pkl");
    EXPECT_EQ(v[2]["version"], "1.0.0");
    EXPECT_EQ(v[1]["version"], "1.0.1");
    EXPECT_EQ(v[0]["version"], "2.0.0") << v.dump(2);
    EXPECT_THAT(v[0]["reason"].get<std::string>(),
                HasSubstr("compat /observation_space_shape changed [16] → [12]"));
}

TEST_F(CompatTest, RestoreCompatibleWithRefusesNamingEachKeyAndListFindsTheOnesThatFit) {
    start_daemon();
    save(1, {{"observation_space_shape", {16}}, {"action_space", 4}});
    save(2, nullptr);
    save(3, {{"observation_space_shape", {12}}, {"action_space", 5}});
    const auto run_config = dir / "run/config.json";
    write_file(run_config, R"({"observation_space_shape": [16], "action_space": 4, "lr": 0.1})");

    // The newest version does not fit this run: refused, every key named, nothing written.
    const auto target = dir / "restored";
    auto out = ctl({"restore", "lab/dqn.pkl@latest", "--compatible-with", run_config.string(),
                    "--to", target.string()});
    EXPECT_EQ(out.exit_code, 1) << out.err;
    EXPECT_THAT(out.err, HasSubstr("lab/dqn.pkl 2.0.0 does not match " + run_config.string()));
    EXPECT_THAT(out.err, HasSubstr("/observation_space_shape: stored [12], this run [16]"));
    EXPECT_THAT(out.err, HasSubstr("/action_space: stored 5, this run 4"));
    EXPECT_THAT(out.err, HasSubstr("the newest version this run can load is 1.0.0"));
    EXPECT_FALSE(std::filesystem::exists(target));
    // A version that recorded no compat values cannot be confirmed either.
    out = ctl({"restore", "lab/dqn.pkl@1.0.1", "--compatible-with", run_config.string(), "--to",
               target.string()});
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_THAT(out.err,
                HasSubstr("/observation_space_shape: stored (not recorded), this run [16]"));

    // The recipe: the newest version this run can load, then restore it (checked again).
    const auto listed = ctl_json({"list", "lab/dqn.pkl", "--compatible-with", run_config.string()});
    ASSERT_EQ(listed["versions"].size(), 1u) << listed.dump(2);
    EXPECT_EQ(listed["versions"][0]["version"], "1.0.0");
    EXPECT_THAT(listed["warnings"][0].get<std::string>(),
                HasSubstr("2 version(s) of lab/dqn.pkl do not match"));
    out = ctl({"restore", "lab/dqn.pkl@1.0.0", "--compatible-with", run_config.string(), "--to",
               target.string()});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    EXPECT_EQ(read_file(target / "dqn.pkl"), pickle("weights 1"));

    // A file that is not JSON is a usage error, before anything is asked.
    write_file(dir / "bad.json", "{not json");
    out = ctl({"restore", "lab/dqn.pkl@1.0.0", "--compatible-with", (dir / "bad.json").string(),
               "--to", (dir / "other").string()});
    EXPECT_EQ(out.exit_code, 2);
    EXPECT_THAT(out.err, HasSubstr("is not valid JSON"));
}

TEST_F(DaemonTest, CompatibleWithNeedsCompatKeys) {
    start_daemon();
    write_model("dqn.pkl", pickle("w"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    write_file(dir / "config.json", "{}");
    const auto out = ctl({"restore", "lab/dqn.pkl", "--compatible-with",
                          (dir / "config.json").string(), "--to", (dir / "r").string()});
    EXPECT_EQ(out.exit_code, 2);
    EXPECT_THAT(out.err, HasSubstr("its watch has no `compat` in the configuration"));
    EXPECT_THAT(ctl({"list", "--compatible-with", (dir / "config.json").string()}).err,
                HasSubstr("no compat keys"));
}

} // namespace
} // namespace mv::test
