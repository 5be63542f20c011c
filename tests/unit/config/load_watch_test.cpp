// Watches: defaults of every key, each key's happy path, merging `defaults` into
// watches (RFC 7386 merge patch), and the checks across watches and the vault.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load.hpp"
#include "tests/unit/config/problems.hpp"

namespace mv::config {
namespace {

using namespace std::chrono_literals;
using test::parse_ok;
using test::problems_of;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

Watch only_watch(std::string_view text) {
    const Config config = parse_ok(text);
    if (config.watches.size() != 1) {
        throw std::runtime_error("expected exactly one watch");
    }
    return config.watches[0];
}

TEST(Watches, MissingWatchesMeansNone) {
    EXPECT_THAT(parse_ok(R"({"vault": "/v"})").watches, IsEmpty());
}

TEST(Watches, NameAndPathAloneTakeEveryDefault) {
    const Watch watch = only_watch(R"({"watches": [{"name": "w", "path": "/srv/w"}]})");
    const Watch defaults;
    EXPECT_EQ(watch.name, "w");
    EXPECT_EQ(watch.path, "/srv/w");
    EXPECT_EQ(watch.layout, Layout::files);
    EXPECT_TRUE(watch.recursive);
    EXPECT_EQ(watch.include, default_include());
    EXPECT_EQ(watch.exclude, default_exclude());
    EXPECT_THAT(watch.sidecars, IsEmpty());
    EXPECT_EQ(watch.settle, 2s);
    EXPECT_TRUE(watch.triggers.on_change);
    EXPECT_FALSE(watch.triggers.schedule.has_value());
    EXPECT_FALSE(watch.triggers.improvement.has_value());
    EXPECT_FALSE(watch.triggers.steps.has_value());
    EXPECT_FALSE(watch.compat.has_value());
    EXPECT_FALSE(watch.retention.has_value());
}

TEST(Watches, EveryWatchKey) {
    const Watch watch = only_watch(R"({"watches": [{
        "name": "HF.model_v2-final",
        "path": "/srv/hf",
        "layout": "directory",
        "recursive": false,
        "include": ["*.bin", "checkpoints/*.pt"],
        "exclude": [],
        "sidecars": ["{name}.sha256", "{stem}/card.md", "README.md"],
        "settle": "100ms",
        "triggers": {"on_change": false}
    }]})");
    EXPECT_EQ(watch.name, "HF.model_v2-final");
    EXPECT_EQ(watch.layout, Layout::directory);
    EXPECT_FALSE(watch.recursive);
    EXPECT_THAT(watch.include, ElementsAre("*.bin", "checkpoints/*.pt"));
    EXPECT_THAT(watch.exclude, IsEmpty());
    EXPECT_THAT(watch.sidecars, ElementsAre("{name}.sha256", "{stem}/card.md", "README.md"));
    EXPECT_EQ(watch.settle, 100ms);
    EXPECT_FALSE(watch.triggers.on_change);
}

TEST(Watches, ScheduleTimesAreSortedAndEitherPartSuffices) {
    const Watch both = only_watch(
        R"({"watches": [{"name": "w", "path": "/w", "triggers": {"schedule": {"at": ["23:59", "00:00", "12:30"]}}}]})");
    EXPECT_FALSE(both.triggers.schedule->every.has_value());
    EXPECT_THAT(both.triggers.schedule->at,
                ElementsAre(TimeOfDay{0, 0}, TimeOfDay{12, 30}, TimeOfDay{23, 59}));
    const Watch every = only_watch(
        R"({"watches": [{"name": "w", "path": "/w", "triggers": {"schedule": {"every": "1s"}}}]})");
    EXPECT_EQ(every.triggers.schedule->every, Duration(1s));
    EXPECT_THAT(every.triggers.schedule->at, IsEmpty());
}

TEST(Watches, ImprovementAndStepsTakeTheirDefaults) {
    const Watch watch = only_watch(R"({"watches": [{"name": "w", "path": "/w", "triggers": {
        "improvement": {"metric": "", "mode": "min", "min_delta": 1},
        "steps": {"counter": "/a~1b/~0c", "every": 500}}}]})");
    const ImprovementTrigger& improvement = *watch.triggers.improvement;
    EXPECT_EQ(improvement.metrics_file, "{stem}.metrics.json");
    EXPECT_EQ(improvement.metric, "");
    EXPECT_EQ(improvement.mode, MetricMode::min);
    EXPECT_EQ(improvement.min_delta, 1.0);
    EXPECT_EQ(improvement.min_relative, 0.0);
    const StepsTrigger& steps = *watch.triggers.steps;
    EXPECT_EQ(steps.metrics_file, "{stem}.metrics.json");
    EXPECT_EQ(steps.counter, "/a~1b/~0c");
    EXPECT_EQ(steps.every, 500);
}

TEST(Watches, EveryRetentionKey) {
    const Watch watch = only_watch(R"({"watches": [{"name": "w", "path": "/w", "retention": {
        "keep_last": 1, "keep_hourly": 2, "keep_daily": 3, "keep_weekly": 4, "keep_monthly": 5,
        "keep_yearly": 6, "keep_within": "1h", "keep_within_hourly": "2h",
        "keep_within_daily": "3d", "keep_within_weekly": "4w", "keep_within_monthly": "5d",
        "keep_within_yearly": "6w", "keep_tags": [], "max_versions": 1}}]})");
    const RetentionPolicy& retention = *watch.retention;
    EXPECT_EQ(retention.keep_last, 1);
    EXPECT_EQ(retention.keep_hourly, 2);
    EXPECT_EQ(retention.keep_daily, 3);
    EXPECT_EQ(retention.keep_weekly, 4);
    EXPECT_EQ(retention.keep_monthly, 5);
    EXPECT_EQ(retention.keep_yearly, 6);
    EXPECT_EQ(retention.keep_within, Duration(1h));
    EXPECT_EQ(retention.keep_within_hourly, Duration(2h));
    EXPECT_EQ(retention.keep_within_daily, Duration(3 * 24h));
    EXPECT_EQ(retention.keep_within_weekly, Duration(4 * 7 * 24h));
    EXPECT_EQ(retention.keep_within_monthly, Duration(5 * 24h));
    EXPECT_EQ(retention.keep_within_yearly, Duration(6 * 7 * 24h));
    EXPECT_THAT(retention.keep_tags, IsEmpty());
    EXPECT_EQ(retention.max_versions, 1);
}

TEST(Watches, EmptyRetentionObjectKeepsEverythingButIsPresent) {
    const Watch watch =
        only_watch(R"({"watches": [{"name": "w", "path": "/w", "retention": {}}]})");
    ASSERT_TRUE(watch.retention.has_value());
    EXPECT_FALSE(watch.retention->keep_last.has_value());
    EXPECT_FALSE(watch.retention->max_versions.has_value());
}

TEST(Watches, PathThatDoesNotExistIsAccepted) {
    const Watch watch = only_watch(
        R"({"watches": [{"name": "w", "path": "/nonexistent/modelvault-test/not-yet"}]})");
    EXPECT_EQ(watch.path, "/nonexistent/modelvault-test/not-yet");
}

// --- defaults ----------------------------------------------------------------------

TEST(Defaults, InheritedByEveryWatch) {
    const Config config = parse_ok(R"({
        "defaults": {"settle": "5s", "include": ["*.pt"], "retention": {"keep_last": 3},
                     "triggers": {"schedule": {"every": "6h"}}},
        "watches": [{"name": "a", "path": "/a"}, {"name": "b", "path": "/b"}]
    })");
    ASSERT_THAT(config.watches, SizeIs(2));
    for (const Watch& watch : config.watches) {
        SCOPED_TRACE(watch.name);
        EXPECT_EQ(watch.settle, 5s);
        EXPECT_THAT(watch.include, ElementsAre("*.pt"));
        EXPECT_EQ(watch.retention->keep_last, 3);
        EXPECT_EQ(watch.triggers.schedule->every, Duration(6h));
    }
}

TEST(Defaults, WatchValueReplacesAndObjectsMergeRecursively) {
    const Watch watch = only_watch(R"({
        "defaults": {"settle": "5s", "include": ["*.pt", "*.onnx"],
                     "retention": {"keep_last": 3, "keep_daily": 7},
                     "triggers": {"schedule": {"every": "6h"}}},
        "watches": [{"name": "a", "path": "/a", "settle": "1s", "include": ["*.gguf"],
                     "retention": {"keep_daily": 30},
                     "triggers": {"on_change": false, "schedule": {"at": ["03:00"]}}}]
    })");
    EXPECT_EQ(watch.settle, 1s);
    // Arrays are values: the watch's list replaces the inherited one.
    EXPECT_THAT(watch.include, ElementsAre("*.gguf"));
    EXPECT_EQ(watch.retention->keep_last, 3);
    EXPECT_EQ(watch.retention->keep_daily, 30);
    EXPECT_FALSE(watch.triggers.on_change);
    EXPECT_EQ(watch.triggers.schedule->every, Duration(6h));
    EXPECT_THAT(watch.triggers.schedule->at, ElementsAre(TimeOfDay{3, 0}));
}

TEST(Defaults, NullInAWatchRemovesAnInheritedKey) {
    const Config config = parse_ok(R"({
        "defaults": {"retention": {"keep_last": 3, "max_versions": 10}, "settle": "5s",
                     "triggers": {"schedule": {"every": "6h"}}},
        "watches": [
            {"name": "keep-all", "path": "/a", "retention": null, "settle": null},
            {"name": "uncapped", "path": "/b", "retention": {"max_versions": null},
             "triggers": {"schedule": null}}
        ]
    })");
    const Watch& keep_all = config.watches[0];
    EXPECT_FALSE(keep_all.retention.has_value());
    EXPECT_EQ(keep_all.settle, 2s); // back to the built-in default
    EXPECT_TRUE(keep_all.triggers.schedule.has_value());
    const Watch& uncapped = config.watches[1];
    EXPECT_EQ(uncapped.retention->keep_last, 3);
    EXPECT_FALSE(uncapped.retention->max_versions.has_value());
    EXPECT_FALSE(uncapped.triggers.schedule.has_value());
}

TEST(Defaults, WithoutWatchesAreStillValidated) {
    EXPECT_THAT(problems_of(R"({"defaults": {"settle": "soon"}})"),
                ElementsAre("defaults.settle: expected a duration such as 30s, 5m, 6h, 7d, got "
                            "\"soon\" (unexpected \"s\" where a number should be)"));
}

TEST(Defaults, InheritedProblemIsReportedOnceAtDefaults) {
    EXPECT_THAT(problems_of(R"({
        "defaults": {"retention": {"keep_daily": "seven"}, "triggers": {"schedule": {}}},
        "watches": [{"name": "a", "path": "/a"}, {"name": "b", "path": "/b"},
                    {"name": "c", "path": "/c"}]
    })"),
                ElementsAre("defaults.retention.keep_daily: expected a non-negative integer, got "
                            "\"seven\"",
                            "defaults.triggers.schedule: expected \"every\" and/or \"at\", such "
                            "as {\"every\": \"6h\"}, got {}"));
}

TEST(Defaults, WatchMayCompleteAnInheritedObject) {
    // defaults.triggers.improvement has no metric; each watch supplies its own.
    const Config config = parse_ok(R"({
        "defaults": {"triggers": {"improvement": {"mode": "min"}, "schedule": {}}},
        "watches": [
            {"name": "a", "path": "/a", "triggers": {"improvement": {"metric": "/loss"},
                                                    "schedule": {"every": "1h"}}}
        ]
    })");
    EXPECT_EQ(config.watches[0].triggers.improvement->metric, "/loss");
    EXPECT_EQ(config.watches[0].triggers.improvement->mode, MetricMode::min);
}

TEST(Defaults, IncompleteInheritedObjectIsReportedWhereItWasWritten) {
    EXPECT_THAT(
        problems_of(R"({
        "defaults": {"triggers": {"improvement": {"mode": "min"}}},
        "watches": [
            {"name": "a", "path": "/a", "triggers": {"improvement": {"metric": "/loss"}}},
            {"name": "b", "path": "/b"},
            {"name": "c", "path": "/c", "triggers": {"improvement": {"min_delta": 1}}}
        ]
    })"),
        ElementsAre("defaults.triggers.improvement.metric: required: the JSON pointer of the "
                    "metric in the metrics file, such as \"/eval/win_rate\"",
                    "watches[2].triggers.improvement.metric: required: the JSON pointer of the "
                    "metric in the metrics file, such as \"/eval/win_rate\""));
}

TEST(Defaults, WatchOverridingWithABadValueIsReportedAtTheWatch) {
    EXPECT_THAT(problems_of(R"({
        "defaults": {"retention": {"keep_daily": 7}},
        "watches": [{"name": "a", "path": "/a"},
                    {"name": "b", "path": "/b", "retention": {"keep_daily": "seven"}}]
    })"),
                ElementsAre("watches[1].retention.keep_daily: expected a non-negative integer, "
                            "got \"seven\""));
}

TEST(Defaults, NameAndPathAreNotInherited) {
    EXPECT_THAT(problems_of(R"({
        "defaults": {"name": "x", "path": "/x"},
        "watches": [{"settle": "1s"}]
    })"),
                ElementsAre("defaults.name: not allowed in defaults; every watch sets its own name",
                            "defaults.path: not allowed in defaults; every watch sets its own path",
                            "watches[0].name: required: a unique name for the watch, such as "
                            "\"pacman\"",
                            "watches[0].path: required: the directory to watch, such as "
                            "\"/srv/models\""));
}

TEST(Defaults, MustBeAnObject) {
    EXPECT_THAT(problems_of(R"({"defaults": []})"),
                ElementsAre("defaults: expected an object of watch keys, got []"));
}

// --- checks across watches ------------------------------------------------------------

TEST(Watches, NamesMustBeUnique) {
    EXPECT_THAT(problems_of(R"({"watches": [{"name": "a", "path": "/a"},
                                           {"name": "b", "path": "/b"},
                                           {"name": "a", "path": "/c"}]})"),
                ElementsAre("watches[2].name: \"a\" is already the name of watches[0]; names "
                            "must be unique"));
}

TEST(Watches, VaultInsideAWatchIsRejected) {
    EXPECT_THAT(problems_of(R"({"vault": "/srv/models/.vault",
                                "watches": [{"name": "a", "path": "/srv/models"}]})"),
                ElementsAre("watches[0].path: \"/srv/models\" contains the vault "
                            "\"/srv/models/.vault\"; the daemon would back up its own backups: "
                            "move the vault out of the watched directory"));
}

TEST(Watches, WatchEqualToTheVaultIsRejected) {
    EXPECT_THAT(
        problems_of(R"({"vault": "/srv/v", "watches": [{"name": "a", "path": "/srv/v/"}]})"),
        ElementsAre("watches[0].path: \"/srv/v\" is also the vault; the daemon would "
                    "back up its own backups: use separate directories"));
}

TEST(Watches, WatchInsideTheVaultIsRejected) {
    // The default vault counts too.
    EXPECT_THAT(problems_of(R"({"watches": [{"name": "a", "path": "/var/lib/modelvault/x"}]})"),
                ElementsAre("watches[0].path: \"/var/lib/modelvault/x\" is inside the vault "
                            "\"/var/lib/modelvault\"; the daemon would back up its own backups: "
                            "watch a directory outside the vault"));
}

TEST(Watches, RootWatchContainsEveryVault) {
    EXPECT_THAT(problems_of(R"({"vault": "/v", "watches": [{"name": "a", "path": "/"}]})"),
                SizeIs(1));
}

TEST(Watches, SiblingWithACommonPrefixIsNotInside) {
    const Config config = parse_ok(R"({"vault": "/srv/models-vault",
        "watches": [{"name": "a", "path": "/srv/models"}, {"name": "b", "path": "/srv/models-vault2"}]})");
    EXPECT_THAT(config.watches, SizeIs(2));
}

TEST(Watches, OverlapIsCheckedAfterResolvingRelativePaths) {
    EXPECT_THAT(problems_of(R"({"vault": "models/../models/vault",
                                "watches": [{"name": "a", "path": "models"}]})"),
                ElementsAre("watches[0].path: \"/etc/modelvault/models\" contains the vault "
                            "\"/etc/modelvault/models/vault\"; the daemon would back up its own "
                            "backups: move the vault out of the watched directory"));
}

TEST(Watches, InvalidVaultSkipsTheOverlapCheck) {
    EXPECT_THAT(
        problems_of(R"({"vault": 1, "watches": [{"name": "a", "path": "/var/lib/modelvault"}]})"),
        ElementsAre("vault: expected a string, got 1"));
}

} // namespace
} // namespace mv::config
