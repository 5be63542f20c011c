// The triggers through the real daemon: improvement, compat, steps, schedule,
// directory models, sidecars, and unfinished files.
#include <fstream>
#include <thread>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class TriggerTest : public DaemonTest {
protected:
    // One training "save": the metrics first, then the model (as RL loops do).
    void save(const std::string& stem, double win_rate, const std::string& payload) {
        write_model(stem + ".metrics.json",
                    json{{"eval", {{"win_rate", win_rate}}}, {"episode", 1}}.dump());
        write_model(stem + ".pkl", pickle(payload));
    }
};

TEST_F(TriggerTest, ImprovementMakesMinorVersionsAndMovesBest) {
    config["watches"][0]["triggers"] = {
        {"improvement", {{"metric", "/eval/win_rate"}, {"mode", "max"}, {"min_relative", 0.05}}}};
    // Both templates name dqn.metrics.json: it is stored once.
    config["watches"][0]["sidecars"] = {"{stem}.metrics.json", "dqn.metrics.json"};
    start_daemon();
    save("dqn", 0.50, "a");
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    save("dqn", 0.51, "b"); // +2 %: not enough, a patch
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 2));
    save("dqn", 0.60, "c"); // +20 % over the best (0.50): a minor version, the new best
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 3));
    const auto v = versions("lab/dqn.pkl");
    EXPECT_EQ(v[2]["version"], "1.0.0");
    EXPECT_EQ(v[1]["version"], "1.0.1");
    EXPECT_EQ(v[0]["version"], "1.1.0");
    EXPECT_EQ(v[0]["trigger"], "improvement");
    EXPECT_EQ(v[0]["reason"], "metric /eval/win_rate improved 0.5 → 0.6 (+20.0%)");
    EXPECT_EQ(v[1]["trigger"], "change");
    EXPECT_EQ(v[0]["tags"], json::array({"best"}));
    EXPECT_EQ(ctl_json({"show", "lab/dqn.pkl@best"})["version"], "1.1.0");
    // The manifest keeps the metrics it read and the sidecar it stored.
    const auto best = ctl_json({"show", "lab/dqn.pkl@best"});
    EXPECT_EQ(best["metrics"]["eval"]["win_rate"], 0.6);
    ASSERT_EQ(best["files"].size(), 2u);
    EXPECT_EQ(best["files"][1]["role"], "sidecar");
    EXPECT_EQ(best["files"][1]["path"], "dqn.metrics.json");
    // The history names both moves of `best`.
    const auto history = ctl_json({"history", "lab/dqn.pkl"});
    ASSERT_EQ(history["history"].size(), 2u);
    EXPECT_EQ(history["history"][1]["from"], "1.0.0");
    EXPECT_EQ(history["history"][1]["to"], "1.1.0");
    // The best value survives a restart: +3.3 % over 0.60 is a patch, best stays.
    EXPECT_EQ(stop_daemon(), 0);
    start_daemon();
    save("dqn", 0.62, "d");
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 4));
    EXPECT_EQ(versions("lab/dqn.pkl")[0]["version"], "1.1.1");
    EXPECT_EQ(ctl_json({"show", "lab/dqn.pkl@best"})["version"], "1.1.0");
}

TEST_F(TriggerTest, MissingOrNanMetricMakesAPatchAndNeverBest) {
    config["watches"][0]["triggers"] = {{"improvement", {{"metric", "/eval/win_rate"}}}};
    start_daemon();
    save("m", 0.5, "a");
    ASSERT_TRUE(wait_for_versions("lab/m.pkl", 1));
    write_model("m.metrics.json", R"({"eval": {"win_rate": "NaN"}})");
    write_model("m.pkl", pickle("b"));
    ASSERT_TRUE(wait_for_versions("lab/m.pkl", 2));
    std::filesystem::remove(models / "m.metrics.json");
    write_model("m.pkl", pickle("c"));
    ASSERT_TRUE(wait_for_versions("lab/m.pkl", 3));
    const auto v = versions("lab/m.pkl");
    EXPECT_EQ(v[0]["version"], "1.0.2");
    EXPECT_EQ(v[1]["version"], "1.0.1");
    EXPECT_EQ(ctl_json({"show", "lab/m.pkl@best"})["version"], "1.0.0");
    EXPECT_NE(daemon_log().find("cannot read metrics"), std::string::npos);
}

TEST_F(TriggerTest, ChangedCompatKeyMakesAMajorVersion) {
    config["watches"][0]["compat"] = {
        {"file", "config.json"}, {"keys", {"/observation_space_shape", "/policy_architecture"}}};
    start_daemon();
    write_model("config.json", R"({"observation_space_shape": [4], "policy_architecture": "mlp"})");
    write_model("ppo.pkl", pickle("a"));
    ASSERT_TRUE(wait_for_versions("lab/ppo.pkl", 1));
    write_model("ppo.pkl", pickle("b"));
    ASSERT_TRUE(wait_for_versions("lab/ppo.pkl", 2));
    write_model("config.json", R"({"observation_space_shape": [8], "policy_architecture": "mlp"})");
    write_model("ppo.pkl", pickle("c"));
    ASSERT_TRUE(wait_for_versions("lab/ppo.pkl", 3));
    const auto v = versions("lab/ppo.pkl");
    EXPECT_EQ(v[1]["version"], "1.0.1");
    EXPECT_EQ(v[0]["version"], "2.0.0");
    EXPECT_NE(
        v[0]["reason"].get<std::string>().find("compat /observation_space_shape changed [4] → [8]"),
        std::string::npos)
        << v[0]["reason"];
    EXPECT_EQ(ctl_json({"show", "lab/ppo.pkl"})["compat"]["/observation_space_shape"], json({8}));
}

TEST_F(TriggerTest, ChangedFormatMakesAMajorVersion) {
    start_daemon();
    write_model("net.pt", pickle("legacy torch.save"));
    ASSERT_TRUE(wait_for_versions("lab/net.pt", 1));
    // Re-saved with the zip serialisation: a new format.
    test::write_file(dir / "payload", "tensor bytes");
    ASSERT_EQ(sh("cd '" + dir.path().string() +
                 "' && python3 -c \"import zipfile; z=zipfile.ZipFile('n.zip','w'); "
                 "z.writestr('net/data.pkl', 'x'); z.close()\" && mv n.zip '" +
                 (models / "net.pt").string() + "'")
                  .exit_code,
              0);
    ASSERT_TRUE(wait_for_versions("lab/net.pt", 2));
    const auto v = versions("lab/net.pt");
    EXPECT_EQ(v[0]["version"], "2.0.0");
    EXPECT_NE(
        v[0]["reason"].get<std::string>().find("format of net.pt changed pickle → pytorch-zip"),
        std::string::npos)
        << v[0]["reason"];
}

TEST_F(TriggerTest, StepsTriggerVersionsAtMultiples) {
    config["watches"][0]["triggers"] = {{"on_change", false},
                                        {"steps", {{"counter", "/episode"}, {"every", 1000}}}};
    start_daemon();
    const auto step = [&](int episode, const std::string& payload) {
        write_model("agent.metrics.json", json{{"episode", episode}}.dump());
        write_model("agent.pkl", pickle(payload));
        std::this_thread::sleep_for(700ms);
    };
    step(500, "a");  // below the first multiple: nothing
    step(1200, "b"); // crossed 1000
    step(1900, "c"); // nothing
    step(2100, "d"); // crossed 2000
    ASSERT_TRUE(wait_for_versions("lab/agent.pkl", 2));
    std::this_thread::sleep_for(500ms);
    const auto v = versions("lab/agent.pkl");
    ASSERT_EQ(v.size(), 2u) << v.dump(2);
    EXPECT_EQ(v[0]["trigger"], "steps");
    EXPECT_EQ(v[0]["reason"], "counter /episode reached 2000 (every 1000)");
    EXPECT_EQ(v[1]["reason"], "counter /episode reached 1000 (every 1000)");
}

TEST_F(TriggerTest, ScheduleBacksUpChangedModels) {
    config["watches"][0]["triggers"] = {{"on_change", false}, {"schedule", {{"every", "2s"}}}};
    start_daemon();
    EXPECT_FALSE(ctl_json({"status"})["watches"][0]["next_run"].is_null());
    write_model("s.pkl", pickle("a"));
    ASSERT_TRUE(wait_for_versions("lab/s.pkl", 1, 20s));
    EXPECT_EQ(versions("lab/s.pkl")[0]["trigger"], "schedule");
    EXPECT_EQ(versions("lab/s.pkl")[0]["reason"], "first backup of the model");
    // Unchanged: later fires make nothing; changed: the next fire backs it up.
    std::this_thread::sleep_for(2500ms);
    EXPECT_EQ(versions("lab/s.pkl").size(), 1u);
    write_model("s.pkl", pickle("b"));
    ASSERT_TRUE(wait_for_versions("lab/s.pkl", 2, 20s));
    EXPECT_EQ(versions("lab/s.pkl")[0]["reason"], "scheduled (every 2s)");
}

TEST_F(TriggerTest, SavedModelFolderIsOneVersion) {
    config["watches"][0]["layout"] = "directory";
    config["watches"][0]["name"] = "tf";
    start_daemon();
    // A SavedModel written in one burst.
    write_model("saved_model.pb", "\x08\x01graph");
    write_model("variables/variables.index", "index");
    write_model("variables/variables.data-00000-of-00001", random_bytes(100000, 3));
    write_model("assets/vocab.txt", "hello\nworld\n");
    write_model("fingerprint.pb", "fp");
    ASSERT_TRUE(wait_for_versions("tf", 1));
    std::this_thread::sleep_for(600ms);
    const auto v = versions("tf");
    ASSERT_EQ(v.size(), 1u) << v.dump(2);
    EXPECT_EQ(v[0]["files"], 5);
    ASSERT_EQ(ctl({"export", "tf", "-o", (dir / "tf.tar.zst").string()}).exit_code, 0);
    const auto listing = run({"tar", "--zstd", "-tf", (dir / "tf.tar.zst").string()});
    EXPECT_NE(listing.out.find("model/variables/variables.index\n"), std::string::npos)
        << listing.out;
    const auto out = ctl({"restore", "tf", "--to", (dir / "r").string()});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    EXPECT_EQ(read_file(dir / "r/assets/vocab.txt"), "hello\nworld\n");
}

TEST_F(TriggerTest, UnfinishedFilesWaitAndAreFlaggedWhenTheyNeverFinish) {
    // Ten checks of 400 ms: the first "looks unfinished" comes 4 s before the daemon gives
    // up waiting, so looking for no version right after it is not a race, even under ASan.
    config["watches"][0]["settle"] = "400ms";
    start_daemon();
    // A safetensors file whose data is not all there yet: not backed up ...
    const std::string header = R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
    std::string length(8, '\0');
    length[0] = static_cast<char>(header.size());
    write_model("w.safetensors", length + header + std::string(8, '\x01'));
    ASSERT_TRUE(
        wait_until([&] { return daemon_log().find("looks unfinished") != std::string::npos; }, 20s))
        << daemon_log();
    EXPECT_TRUE(versions().empty());
    // ... until it is complete.
    write_model("w.safetensors", length + header + std::string(16, '\x01'));
    ASSERT_TRUE(wait_for_versions("lab/w.safetensors", 1));
    EXPECT_EQ(ctl_json({"show", "lab/w.safetensors"})["incomplete"], false);
    // A zip that never gets its end record is stored after ten checks, flagged.
    write_model("broken.zip", "PK\x03\x04 half a zip");
    ASSERT_TRUE(wait_for_versions("lab/broken.zip", 1, 30s));
    EXPECT_EQ(ctl_json({"show", "lab/broken.zip"})["incomplete"], true);
}

} // namespace
} // namespace mv::test
