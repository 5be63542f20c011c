// The `checkpoints` key (a preset or a pattern) and `triggers.metrics_wait`: what they
// read into, and every way to get them wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/checkpoint_pattern.hpp"
#include "config/load.hpp"
#include "tests/unit/config/problems.hpp"

namespace mv::config {
namespace {

using namespace std::chrono_literals;
using test::parse_ok;
using test::problems_of;
using ::testing::ElementsAre;

std::string series_watch(std::string_view keys) {
    return R"({"watches": [{"name": "w", "path": "/srv/w", )" + std::string(keys) + "}]}";
}

TEST(Checkpoints, PresetsByName) {
    const std::pair<const char*, CheckpointPreset> presets[] = {
        {"lightning", CheckpointPreset::lightning},
        {"huggingface", CheckpointPreset::huggingface},
        {"sb3", CheckpointPreset::sb3},
        {"keras", CheckpointPreset::keras},
        {"orbax", CheckpointPreset::orbax},
        {"torch-dcp", CheckpointPreset::torch_dcp}};
    for (const auto& [name, preset] : presets) {
        const auto config =
            parse_ok(series_watch(R"("checkpoints": ")" + std::string(name) + "\""));
        ASSERT_TRUE(config.watches[0].checkpoints.has_value()) << name;
        EXPECT_EQ(config.watches[0].checkpoints->preset, preset);
        EXPECT_TRUE(config.watches[0].checkpoints->pattern.empty());
        EXPECT_EQ(to_string(preset), std::string(name));
    }
    EXPECT_FALSE(parse_ok(series_watch(R"("settle": "1s")")).watches[0].checkpoints.has_value());
}

TEST(Checkpoints, APatternWithAPresetAndAName) {
    const auto config = parse_ok(series_watch(
        R"("checkpoints": {"preset": "keras", "pattern": "model.{epoch:02d}-{val_loss:.2f}.h5", "name": "model"})"));
    const auto& series = *config.watches[0].checkpoints;
    EXPECT_EQ(series.preset, CheckpointPreset::keras);
    EXPECT_EQ(series.pattern_text, "model.{epoch:02d}-{val_loss:.2f}.h5");
    EXPECT_EQ(series.name, "model");
    EXPECT_THAT(series.pattern,
                ElementsAre(PatternPart{"model.", false}, PatternPart{"epoch", true},
                            PatternPart{"-", false}, PatternPart{"val_loss", true},
                            PatternPart{".h5", false}));
    // Inherited from defaults like any watch key; null removes it.
    const auto inherited = parse_ok(
        R"({"defaults": {"checkpoints": "lightning"}, "watches": [{"name": "a", "path": "/a"},
            {"name": "b", "path": "/b", "checkpoints": null}]})");
    EXPECT_EQ(inherited.watches[0].checkpoints->preset, CheckpointPreset::lightning);
    EXPECT_FALSE(inherited.watches[1].checkpoints.has_value());
}

TEST(Checkpoints, MetricsWaitDefaultsToTenSeconds) {
    EXPECT_EQ(parse_ok(series_watch(R"("settle": "1s")")).watches[0].triggers.metrics_wait, 10s);
    EXPECT_EQ(parse_ok(series_watch(R"("triggers": {"metrics_wait": "30s"})"))
                  .watches[0]
                  .triggers.metrics_wait,
              30s);
    EXPECT_EQ(parse_ok(series_watch(R"("triggers": {"metrics_wait": "0s"})"))
                  .watches[0]
                  .triggers.metrics_wait,
              0s);
}

TEST(Checkpoints, EveryMistakeIsNamedWithWhatToWrite) {
    EXPECT_THAT(
        problems_of(series_watch(R"("checkpoints": "pytorch")")),
        ElementsAre(
            R"(watches[0].checkpoints: expected one of "lightning", "huggingface", "sb3", "keras", "orbax", "torch-dcp", got "pytorch")"));
    EXPECT_THAT(
        problems_of(series_watch(R"("checkpoints": {})")),
        ElementsAre(
            R"(watches[0].checkpoints: expected "preset" and/or "pattern", such as {"pattern": "checkpoint-{step}"})"));
    EXPECT_THAT(
        problems_of(series_watch(R"("checkpoints": {"patern": "x-{step}"})")),
        ElementsAre(
            R"(watches[0].checkpoints.patern: unknown key; did you mean "pattern"?)",
            R"(watches[0].checkpoints: expected "preset" and/or "pattern", such as {"pattern": "checkpoint-{step}"})"));
    EXPECT_THAT(
        problems_of(series_watch(R"("checkpoints": 3)")),
        ElementsAre(
            R"(watches[0].checkpoints: expected a preset name ("lightning", "huggingface", "sb3", "keras", "orbax", "torch-dcp") or an object with "pattern", got 3)"));
    EXPECT_THAT(
        problems_of(series_watch(R"("checkpoints": {"pattern": "x-{step}", "name": "a/b"})")),
        ElementsAre(::testing::HasSubstr("watches[0].checkpoints.name: expected a name made of")));
    EXPECT_THAT(
        problems_of(series_watch(R"("layout": "directory", "checkpoints": "orbax")")),
        ElementsAre(
            R"(watches[0].checkpoints: a checkpoint series needs layout "files" (layout "directory" keeps the whole folder as one model): remove one of the two)"));
    EXPECT_THAT(
        problems_of(series_watch(R"("triggers": {"metrics_wait": "soon"})")),
        ElementsAre(::testing::HasSubstr("watches[0].triggers.metrics_wait: expected a duration")));
}

TEST(Checkpoints, PatternMistakes) {
    const auto problem = [](std::string pattern) {
        const auto parsed = parse_checkpoint_pattern(pattern);
        return parsed ? std::string("(accepted)") : parsed.error();
    };
    EXPECT_THAT(problem("checkpoint"), ::testing::HasSubstr("it has no placeholder"));
    EXPECT_THAT(problem("runs/checkpoint-{step}"), ::testing::HasSubstr("without '/'"));
    EXPECT_THAT(problem("ckpt-{step"), ::testing::HasSubstr("'{' without '}'"));
    EXPECT_THAT(problem("ckpt-step}"), ::testing::HasSubstr("'}' without '{'"));
    EXPECT_THAT(problem("ckpt-{1step}"), ::testing::HasSubstr("{1step} is not a placeholder"));
    EXPECT_THAT(problem("ckpt-{}"), ::testing::HasSubstr("{} is not a placeholder"));
    EXPECT_THAT(problem("{epoch}{step}.ckpt"), ::testing::HasSubstr("two placeholders in a row"));
    EXPECT_THAT(problem("ckpt-{step}"), "(accepted)");
    // In a config the problem comes with its key path and an example.
    EXPECT_THAT(
        problems_of(series_watch(R"("checkpoints": {"pattern": "checkpoint"})")),
        ElementsAre(
            R"(watches[0].checkpoints.pattern: expected a checkpoint name with placeholders, such as "checkpoint-{step}" or "epoch={epoch}-step={step}.ckpt", got "checkpoint": it has no placeholder, so it names one file: no series)"));
}

} // namespace
} // namespace mv::config
