// Checkpoints as real frameworks write them (issue 9), replayed by writers/frameworks.py
// with the real daemon: one model per run, one version per checkpoint in step order, no
// torn or orphan version, and `best` on the weights whose metric won.
#include <algorithm>
#include <sstream>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/skip.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class FrameworkTest : public DaemonTest {
protected:
    void SetUp() override {
        DaemonTest::SetUp();
        config["watches"][0]["settle"] = "300ms";
    }

    // Runs the writer of `framework` into the watched folder; one JSON object per
    // checkpoint it wrote (name, step, metric, files: {path: sha256}).
    std::vector<json> write(const std::string& framework, std::vector<std::string> options) {
        std::vector<std::string> argv = {
            "python3", std::string(MV_SOURCE_DIR) + "/tests/integration/writers/frameworks.py",
            framework, models.string()};
        argv.insert(argv.end(), options.begin(), options.end());
        CommandOptions run_options;
        run_options.timeout = 120s;
        const auto result = run(argv, run_options);
        EXPECT_EQ(result.exit_code, 0) << result.err;
        std::vector<json> written;
        std::istringstream lines(result.out);
        for (std::string line; std::getline(lines, line);) {
            written.push_back(json::parse(line));
        }
        return written;
    }

    // The versions of `model`, oldest first.
    json oldest_first(const std::string& model) {
        auto v = versions(model);
        std::reverse(v.begin(), v.end());
        return v;
    }

    // The checks every framework must pass: `model` is the only model, with one version per
    // checkpoint written, in step order, each holding exactly the bytes written at its
    // step, none incomplete; `best` is the step whose metric won.
    void expect_one_lineage(const std::string& model, const std::vector<json>& written,
                            bool lower_is_better) {
        ASSERT_TRUE(wait_for_versions(model, written.size(), 60s))
            << versions().dump(2) << "\nwritten:\n"
            << json(written).dump(2);
        // Nothing arrives late: no second model, no extra version.
        std::this_thread::sleep_for(1500ms);
        for (const auto& v : versions()) {
            EXPECT_EQ(v["model"], model) << "an orphan model: " << v.dump();
        }
        const auto v = oldest_first(model);
        ASSERT_EQ(v.size(), written.size()) << v.dump(2);
        const json* best = nullptr;
        for (std::size_t i = 0; i < written.size(); ++i) {
            const json& step = written[i];
            const auto manifest =
                ctl_json({"show", model + "@" + v[i]["version"].get<std::string>()});
            EXPECT_FALSE(manifest["incomplete"].get<bool>()) << manifest.dump(2);
            ASSERT_FALSE(manifest["checkpoint"].is_null()) << manifest.dump(2);
            EXPECT_EQ(manifest["checkpoint"]["name"], step["name"]) << manifest.dump(2);
            // The bytes of that step, nothing else.
            std::vector<std::string> stored;
            for (const auto& file : manifest["files"]) {
                if (file["role"] == "model") {
                    stored.push_back(file["sha256"].get<std::string>());
                }
            }
            std::vector<std::string> expected;
            for (const auto& [path, sha] : step["files"].items()) {
                expected.push_back(sha.get<std::string>());
            }
            std::sort(stored.begin(), stored.end());
            std::sort(expected.begin(), expected.end());
            EXPECT_EQ(stored, expected) << step["name"] << " is not stored as written";
            if (!step["metric"].is_null() &&
                (best == nullptr || (lower_is_better ? step["metric"] < (*best)["metric"]
                                                     : step["metric"] > (*best)["metric"]))) {
                best = &step;
            }
        }
        ASSERT_NE(best, nullptr);
        const auto best_manifest = ctl_json({"show", model + "@best"});
        EXPECT_EQ(best_manifest["checkpoint"]["name"], (*best)["name"])
            << "best is not on the weights whose metric won";
    }
};

TEST_F(FrameworkTest, LightningTopKAndLastCkptAreOneLineage) {
    // save_top_k=2 on val_loss, save_last=True: top-k files rotate, last.ckpt copies the
    // newest (and alone holds the epochs that were not in the top k).
    config["watches"][0]["checkpoints"] = "lightning";
    config["watches"][0]["triggers"] = {
        {"metrics_wait", "1s"}, {"improvement", {{"metric", "/val_loss"}, {"mode", "min"}}}};
    start_daemon();
    std::filesystem::create_directories(dir / "systmp");
    const auto written = write("lightning", {"--checkpoints", "5", "--pause", "1.2", "--tmpdir",
                                             (dir / "systmp").string()});
    ASSERT_EQ(written.size(), 5u);
    expect_one_lineage("lab/lightning_logs/version_0/checkpoints/lightning", written, true);
    // The step-named versions carry their step and metric from the name.
    const auto first =
        ctl_json({"show", "lab/lightning_logs/version_0/checkpoints/lightning@1.0.0"});
    EXPECT_EQ(first["checkpoint"]["step"], written[0]["step"]);
    EXPECT_EQ(first["metrics"]["val_loss"], written[0]["metric"]);
    EXPECT_NE(daemon_log().find("last.ckpt is Lightning's copy of"), std::string::npos);
}

TEST_F(FrameworkTest, HuggingFaceStagedFoldersRotatedByTheTrainer) {
    // Trainer 4.35: tmp-checkpoint-N/ renamed to checkpoint-N/, trainer_state.json last,
    // save_total_limit=2 deletes old folders: they stay in the vault.
    config["watches"][0]["checkpoints"] = "huggingface";
    config["watches"][0]["triggers"] = {
        {"improvement", {{"metric", "/eval_loss"}, {"mode", "min"}}}};
    start_daemon();
    const auto written = write("huggingface", {"--checkpoints", "4", "--pause", "1", "--staging"});
    expect_one_lineage("lab/out/checkpoint", written, true);
    EXPECT_FALSE(std::filesystem::exists(models / "out/checkpoint-500")) << "rotated away";
    // A restore gives back a folder the Trainer can resume from.
    const auto out = ctl({"restore", "lab/out/checkpoint@1.0.0", "--to", (dir / "r").string()});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    EXPECT_TRUE(std::filesystem::exists(dir / "r/trainer_state.json"));
    EXPECT_TRUE(std::filesystem::exists(dir / "r/model.safetensors"));
}

TEST_F(FrameworkTest, HuggingFaceFoldersWrittenInPlaceWaitForTheirTrainerState) {
    // Trainer 4.37 and later: straight into checkpoint-N/, trainer_state.json last. A pause
    // longer than `settle` between the weights and the rest leaves a quiet folder that is
    // not a checkpoint yet: it must not become a version.
    config["watches"][0]["checkpoints"] = "huggingface";
    config["watches"][0]["triggers"] = {
        {"improvement", {{"metric", "/eval_loss"}, {"mode", "min"}}}};
    start_daemon();
    const auto written =
        write("huggingface", {"--checkpoints", "3", "--pause", "1", "--file-pause", "1"});
    expect_one_lineage("lab/out/checkpoint", written, true);
}

TEST_F(FrameworkTest, StableBaselinesCheckpointsWithTheirReplayBuffersAndLateEvaluations) {
    // Each model zip with its replay buffer and VecNormalize pickles is one version; the
    // evaluation comes half a second after the checkpoint (save, then evaluate).
    config["watches"][0]["checkpoints"] = "sb3";
    config["watches"][0]["triggers"] = {
        {"metrics_wait", "5s"},
        {"improvement", {{"metrics_file", "eval.json"}, {"metric", "/mean_reward"}}}};
    start_daemon();
    const auto written = write("sb3", {"--checkpoints", "4", "--pause", "1.5"});
    expect_one_lineage("lab/logs/rl_model", written, false);
    for (const auto& v : versions("lab/logs/rl_model")) {
        EXPECT_FALSE(v["metrics_missing"].get<bool>()) << v.dump(2);
        EXPECT_EQ(v["metrics"]["timesteps"], v["checkpoint"]["step"])
            << "the evaluation of another checkpoint: " << v.dump(2);
    }
}

TEST_F(FrameworkTest, KerasEpochFilesNameTheirMetric) {
    config["watches"][0]["checkpoints"] = {
        {"preset", "keras"}, {"pattern", "model.{epoch:02d}-{val_loss:.2f}.h5"}, {"name", "model"}};
    config["watches"][0]["triggers"] = {
        {"improvement", {{"metric", "/val_loss"}, {"mode", "min"}}}};
    start_daemon();
    const auto written = write("keras", {"--checkpoints", "4", "--pause", "1"});
    expect_one_lineage("lab/ckpt/model", written, true);
}

TEST_F(FrameworkTest, OrbaxStepsRenamedFromTheirTemporaryFolders) {
    config["watches"][0]["checkpoints"] = "orbax";
    config["watches"][0]["triggers"] = {{"improvement", {{"metric", "/loss"}, {"mode", "min"}}}};
    start_daemon();
    const auto written = write("orbax", {"--checkpoints", "4", "--pause", "1"});
    expect_one_lineage("lab/ckpts/orbax", written, true);
}

TEST_F(FrameworkTest, OrbaxStepsCommittedByTheirCommitFile) {
    // CommitFileTemporaryPath: written in place, shard by shard with quiet pauses longer
    // than `settle`; only commit_success.txt (after commit_timestamp_nsecs) completes a step.
    config["watches"][0]["checkpoints"] = "orbax";
    config["watches"][0]["triggers"] = {{"improvement", {{"metric", "/loss"}, {"mode", "min"}}}};
    start_daemon();
    const auto written = write(
        "orbax", {"--checkpoints", "3", "--pause", "1", "--file-pause", "1", "--commit-file"});
    expect_one_lineage("lab/ckpts/orbax", written, true);
    for (const auto& v : versions("lab/ckpts/orbax")) {
        const auto manifest =
            ctl_json({"show", "lab/ckpts/orbax@" + v["version"].get<std::string>()});
        EXPECT_TRUE(std::any_of(manifest["files"].begin(), manifest["files"].end(),
                                [](const json& f) { return f["path"] == "commit_success.txt"; }))
            << "the commit file is stored: " << manifest.dump(2);
    }
}

TEST_F(FrameworkTest, DistributedCheckpointsCompleteWithTheirMetadata) {
    // The job evaluates first and writes metrics.json, then saves (the README's order).
    config["watches"][0]["checkpoints"] = "torch-dcp";
    config["watches"][0]["triggers"] = {
        {"improvement", {{"metrics_file", "metrics.json"}, {"metric", "/accuracy"}}}};
    start_daemon();
    const auto written = write("torch-dcp", {"--checkpoints", "4", "--pause", "1"});
    expect_one_lineage("lab/run/step", written, false);
    const auto manifest = ctl_json({"show", "lab/run/step@latest"});
    EXPECT_TRUE(std::any_of(manifest["files"].begin(), manifest["files"].end(),
                            [](const json& f) { return f["path"] == ".metadata"; }))
        << "the completion file is stored: " << manifest.dump(2);
}

TEST_F(FrameworkTest, DistributedCheckpointsSavedWithoutCollectivesWaitForEveryRank) {
    // use_collectives=False: no .metadata; each rank renames its __<rank>.metadata into
    // place, a quiet second apart: one rank's alone does not complete the step.
    config["watches"][0]["checkpoints"] = "torch-dcp";
    config["watches"][0]["triggers"] = {
        {"improvement", {{"metrics_file", "metrics.json"}, {"metric", "/accuracy"}}}};
    start_daemon();
    const auto written = write("torch-dcp", {"--checkpoints", "3", "--pause", "1",
                                             "--no-collectives", "--file-pause", "1"});
    expect_one_lineage("lab/run/step", written, false);
}

// The Python that has torch (Debian's python3-torch is for /usr/bin/python3), or "".
std::string python_with_torch() {
    for (const char* python : {"python3", "/usr/bin/python3"}) {
        if (run({python, "-c", "import torch"}).exit_code == 0) {
            return python;
        }
    }
    return "";
}

TEST_F(FrameworkTest, RealTorchTrainingLoopWithLightningNames) {
    // A real torch training loop saving Lightning-style checkpoints (torch.save zips).
    const std::string python = python_with_torch();
    if (python.empty()) {
        MV_SKIP_OR_FAIL("torch is not installed: run scripts/deps.sh test "
                        "(Debian's python3-torch)");
    }
    config["watches"][0]["checkpoints"] = "lightning";
    config["watches"][0]["triggers"] = {
        {"metrics_wait", "1s"}, {"improvement", {{"metric", "/val_loss"}, {"mode", "min"}}}};
    start_daemon();
    std::filesystem::create_directories(dir / "systmp");
    CommandOptions options;
    options.timeout = 180s;
    const auto loop = run(
        {python, std::string(MV_SOURCE_DIR) + "/tests/integration/writers/torch_loop.py",
         models.string(), "--epochs", "5", "--pause", "1.5", "--tmpdir", (dir / "systmp").string()},
        options);
    ASSERT_EQ(loop.exit_code, 0) << loop.err;
    std::vector<json> written;
    std::istringstream lines(loop.out);
    for (std::string line; std::getline(lines, line);) {
        written.push_back(json::parse(line));
    }
    ASSERT_EQ(written.size(), 5u) << loop.out;
    expect_one_lineage("lab/lightning_logs/version_0/checkpoints/lightning", written, true);
    // The best version restores to a checkpoint torch loads.
    const auto out = ctl({"restore", "lab/lightning_logs/version_0/checkpoints/lightning@best",
                          "--to", (dir / "best").string()});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    const auto best = ctl_json({"show", "lab/lightning_logs/version_0/checkpoints/lightning@best"});
    const auto loaded =
        run({python, "-c",
             "import sys, torch; c = torch.load(sys.argv[1]); "
             "print(c['global_step'])",
             (dir / "best" / best["checkpoint"]["name"].get<std::string>()).string()});
    ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
    EXPECT_EQ(std::stoll(loaded.out), best["checkpoint"]["step"].get<long long>());
}

} // namespace
} // namespace mv::test
