// Checkpoint names of each framework, as their own code writes them, classified.
#include <gtest/gtest.h>

#include "config/checkpoint_pattern.hpp"
#include "watcher/filter.hpp"
#include "watcher/series.hpp"

namespace mv::watcher {
namespace {

config::Watch series_watch(config::CheckpointPreset preset, std::string pattern = "",
                           std::string name = "") {
    config::Watch watch;
    watch.name = "lab";
    watch.path = "/srv/lab";
    config::Checkpoints series;
    series.preset = preset;
    if (!pattern.empty()) {
        series.pattern = config::parse_checkpoint_pattern(pattern).value();
        series.pattern_text = pattern;
    }
    series.name = std::move(name);
    watch.checkpoints = series;
    return watch;
}

TEST(Series, LightningNamesCarryEpochStepAndMetrics) {
    const auto watch = series_watch(config::CheckpointPreset::lightning);
    const auto path =
        classify(watch, "lightning_logs/version_0/checkpoints/epoch=3-step=1200.ckpt", false);
    ASSERT_EQ(path.role, SeriesRole::member);
    const auto& ref = path.checkpoint;
    EXPECT_EQ(ref.model(), "lightning_logs/version_0/checkpoints/lightning");
    EXPECT_EQ(ref.member, "lightning_logs/version_0/checkpoints/epoch=3-step=1200.ckpt");
    EXPECT_EQ(ref.name(), "epoch=3-step=1200.ckpt");
    EXPECT_EQ(ref.step, 1200);
    EXPECT_EQ(ref.epoch, 3);
    EXPECT_FALSE(ref.folder);
    EXPECT_FALSE(ref.alias);
    // A prefix, metrics (a negative one, an exponent), the version counter of a repeat.
    const auto metrics =
        classify(watch, "ckpt/sample-mnist-epoch=02-val_loss=-0.5-lr=1e-05-v1.ckpt", false);
    ASSERT_EQ(metrics.role, SeriesRole::member);
    EXPECT_EQ(metrics.checkpoint.epoch, 2);
    EXPECT_FALSE(metrics.checkpoint.step);
    ASSERT_EQ(metrics.checkpoint.metrics.size(), 2u);
    EXPECT_EQ(metrics.checkpoint.metrics[0], (std::pair<std::string, double>{"val_loss", -0.5}));
    EXPECT_EQ(metrics.checkpoint.metrics[1], (std::pair<std::string, double>{"lr", 1e-05}));
    EXPECT_EQ(metrics.checkpoint.model(), "ckpt/lightning");
    // last.ckpt is the copy of the newest checkpoint: same series, an alias.
    const auto last = classify(watch, "ckpt/last.ckpt", false);
    ASSERT_EQ(last.role, SeriesRole::member);
    EXPECT_TRUE(last.checkpoint.alias);
    EXPECT_EQ(last.checkpoint.model(), "ckpt/lightning");
    EXPECT_TRUE(classify(watch, "ckpt/last-v1.ckpt", false).checkpoint.alias);
    // Names without name=value pairs are ordinary files.
    EXPECT_EQ(classify(watch, "ckpt/best.ckpt", false).role, SeriesRole::none);
    EXPECT_EQ(classify(watch, "ckpt/epoch=x-step=1.ckpt", false).role, SeriesRole::none);
    EXPECT_EQ(classify(watch, "ckpt/model.pt", false).role, SeriesRole::none);
    // DeepSpeed saves the checkpoint as a folder with the same name.
    const auto deepspeed =
        classify(watch, "ckpt/epoch=0-step=10.ckpt/checkpoint/mp_rank_00_model_states.pt", false);
    ASSERT_EQ(deepspeed.role, SeriesRole::inside);
    EXPECT_TRUE(deepspeed.checkpoint.folder);
    EXPECT_EQ(deepspeed.checkpoint.member, "ckpt/epoch=0-step=10.ckpt");
}

TEST(Series, HuggingFaceFoldersAndWhatIsInside) {
    const auto watch = series_watch(config::CheckpointPreset::huggingface);
    const auto folder = classify(watch, "out/checkpoint-500", true);
    ASSERT_EQ(folder.role, SeriesRole::member);
    EXPECT_TRUE(folder.checkpoint.folder);
    EXPECT_EQ(folder.checkpoint.step, 500);
    EXPECT_EQ(folder.checkpoint.model(), "out/checkpoint");
    const auto inside = classify(watch, "out/checkpoint-500/model.safetensors", false);
    ASSERT_EQ(inside.role, SeriesRole::inside);
    EXPECT_EQ(inside.checkpoint.member, "out/checkpoint-500");
    EXPECT_EQ(classify(watch, "out/checkpoint-500", false).role, SeriesRole::none); // a file
    EXPECT_EQ(classify(watch, "out/model.safetensors", false).role, SeriesRole::none);
    EXPECT_EQ(classify(watch, "checkpoint-abc/x.bin", false).role, SeriesRole::none);
    // Hyperparameter search: one series per trial folder.
    EXPECT_EQ(classify(watch, "out/run-3/checkpoint-10/config.json", false).checkpoint.model(),
              "out/run-3/checkpoint");
}

TEST(Series, StableBaselinesModelsAndWhatIsSavedWithThem) {
    const auto watch = series_watch(config::CheckpointPreset::sb3);
    const auto model = classify(watch, "logs/rl_model_10000_steps.zip", false);
    ASSERT_EQ(model.role, SeriesRole::member);
    EXPECT_EQ(model.checkpoint.step, 10000);
    EXPECT_EQ(model.checkpoint.model(), "logs/rl_model");
    const auto buffer = classify(watch, "logs/rl_model_replay_buffer_10000_steps.pkl", false);
    ASSERT_EQ(buffer.role, SeriesRole::inside);
    EXPECT_EQ(buffer.checkpoint.member, "logs/rl_model_10000_steps.zip");
    EXPECT_EQ(
        classify(watch, "logs/ppo_cartpole_vecnormalize_20_steps.pkl", false).checkpoint.member,
        "logs/ppo_cartpole_20_steps.zip");
    EXPECT_EQ(classify(watch, "logs/best_model.zip", false).role, SeriesRole::none);
    EXPECT_EQ(classify(watch, "logs/rl_model_steps.zip", false).role, SeriesRole::none);
}

TEST(Series, KerasEpochAfterThePrefix) {
    const auto watch = series_watch(config::CheckpointPreset::keras);
    const auto h5 = classify(watch, "ckpt/model.03-0.32.h5", false);
    ASSERT_EQ(h5.role, SeriesRole::member);
    EXPECT_EQ(h5.checkpoint.epoch, 3);
    EXPECT_EQ(h5.checkpoint.model(), "ckpt/model");
    EXPECT_EQ(classify(watch, "weights.05.weights.h5", false).checkpoint.model(), "weights");
    EXPECT_EQ(classify(watch, "best_model.keras", false).role, SeriesRole::none);
    // A pattern names the metrics.
    const auto named =
        series_watch(config::CheckpointPreset::keras, "model.{epoch:02d}-{val_loss:.2f}.keras");
    const auto ref = classify(named, "model.07-0.25.keras", false).checkpoint;
    EXPECT_EQ(ref.epoch, 7);
    ASSERT_EQ(ref.metrics.size(), 1u);
    EXPECT_EQ(ref.metrics[0].second, 0.25);
    EXPECT_EQ(ref.series, "model.{epoch:02d}-{val_loss:.2f}.keras");
}

TEST(Series, OrbaxAndDcpStepFolders) {
    const auto orbax = series_watch(config::CheckpointPreset::orbax);
    const auto step = classify(orbax, "ckpts/1000/default/_METADATA", false);
    ASSERT_EQ(step.role, SeriesRole::inside);
    EXPECT_EQ(step.checkpoint.member, "ckpts/1000");
    EXPECT_EQ(step.checkpoint.step, 1000);
    EXPECT_EQ(step.checkpoint.model(), "ckpts/orbax");
    EXPECT_EQ(classify(orbax, "ckpts/1000", false).role, SeriesRole::none); // a file
    // Orbax names steps by their number; with a step_prefix, a pattern says so.
    EXPECT_EQ(classify(orbax, "ckpts/ckpt_20", true).role, SeriesRole::none);
    const auto prefixed = series_watch(config::CheckpointPreset::orbax, "ckpt_{step}", "run");
    EXPECT_EQ(classify(prefixed, "ckpts/ckpt_20", true).checkpoint.model(), "ckpts/run");
    // DCP folders are known by their files, whatever their parents are called.
    const auto dcp = series_watch(config::CheckpointPreset::torch_dcp);
    const auto folder = classify(dcp, "run_3/step_300/__0_0.distcp", false);
    ASSERT_EQ(folder.role, SeriesRole::inside);
    EXPECT_EQ(folder.checkpoint.member, "run_3/step_300");
    EXPECT_EQ(folder.checkpoint.model(), "run_3/step");
    EXPECT_EQ(folder.checkpoint.step, 300);
    EXPECT_EQ(classify(dcp, "run_3/step_300/.metadata", false).checkpoint.member, "run_3/step_300");
    EXPECT_EQ(classify(dcp, "run_3/config.json", false).role, SeriesRole::none);
    // The folder itself, once its files made it one, is the checkpoint.
    EXPECT_EQ(classify(dcp, "run_3/step_300", true).role, SeriesRole::member);
}

TEST(Series, PatternsNameFilesOrFolders) {
    const auto files =
        series_watch(config::CheckpointPreset::none, "epoch={epoch}-step={step}.ckpt");
    const auto ref = classify(files, "a/epoch=1-step=50.ckpt", false);
    ASSERT_EQ(ref.role, SeriesRole::member);
    EXPECT_EQ(ref.checkpoint.step, 50);
    EXPECT_EQ(ref.checkpoint.model(), "a/epoch={epoch}-step={step}.ckpt");
    EXPECT_EQ(classify(files, "a/epoch=1-step=50.ckpt.bak", false).role, SeriesRole::none);
    EXPECT_EQ(classify(files, "a/epoch=1-step=-5.ckpt", false).role, SeriesRole::none);
    const auto folders = series_watch(config::CheckpointPreset::none, "checkpoint-{step}", "run");
    const auto inside = classify(folders, "checkpoint-700/pytorch_model.bin", false);
    ASSERT_EQ(inside.role, SeriesRole::inside);
    EXPECT_EQ(inside.checkpoint.model(), "run");
    EXPECT_EQ(inside.checkpoint.step, 700);
    // Metric placeholders take any number, step and epoch whole ones.
    const auto metric = series_watch(config::CheckpointPreset::none, "ep{epoch}_acc{acc}.pt");
    const auto m = classify(metric, "ep12_acc0.875.pt", false).checkpoint;
    EXPECT_EQ(m.epoch, 12);
    EXPECT_EQ(m.metrics.at(0).second, 0.875);
}

TEST(Series, WatchesWithoutASeriesHaveNone) {
    config::Watch plain;
    EXPECT_EQ(classify(plain, "out/checkpoint-500/model.bin", false).role, SeriesRole::none);
    EXPECT_EQ(with_series_excludes(plain).exclude, plain.exclude);
    const auto watch = with_series_excludes(series_watch(config::CheckpointPreset::orbax));
    EXPECT_NE(std::find(watch.exclude.begin(), watch.exclude.end(), "*.orbax-checkpoint-tmp*"),
              watch.exclude.end());
}

TEST(Series, TemporaryNamesOfEachFrameworkAreNeverModels) {
    const auto watch = with_series_excludes(series_watch(config::CheckpointPreset::keras));
    for (const char* temporary :
         {"out/tmp-checkpoint-500/model.safetensors", "ckpts/1000.orbax-checkpoint-tmp/x",
          "run/step_100/.metadata.tmp", "run/step_100/__0.metadata.tmp",
          "ckpt/tmpk3_x9q2a" /* Keras 3.5+: a .keras file's weights, staged beside it */}) {
        EXPECT_TRUE(is_excluded(watch, temporary)) << temporary;
    }
    for (const char* model :
         {"ckpt/model.03-0.41.keras", "ckpt/tmp.keras", "run/step_100/__0.metadata"}) {
        EXPECT_FALSE(is_excluded(watch, model)) << model;
    }
    EXPECT_TRUE(is_dcp_rank_metadata("__12.metadata"));
    EXPECT_FALSE(is_dcp_rank_metadata("__.metadata"));
    EXPECT_FALSE(is_dcp_rank_metadata("__1.metadata.tmp"));
    EXPECT_FALSE(is_dcp_rank_metadata(".metadata"));
}

} // namespace
} // namespace mv::watcher
