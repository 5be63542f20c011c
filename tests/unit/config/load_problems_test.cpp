// Every kind of problem, each reported as `<key path>: <message>` naming the value
// found and what is expected, and all of them reported in one run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load.hpp"
#include "tests/unit/config/problems.hpp"

namespace mv::config {
namespace {

using test::problems_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Case {
    const char* json;     ///< the config text
    const char* expected; ///< the single problem line it must produce
};

void expect_single_problems(std::initializer_list<Case> cases) {
    for (const Case& c : cases) {
        SCOPED_TRACE(c.json);
        EXPECT_THAT(problems_of(c.json), ElementsAre(c.expected));
    }
}

// Wraps watch keys in a watch that is otherwise valid.
std::string watch(std::string_view keys) {
    return R"({"watches": [{"name": "w", "path": "/srv/w", )" + std::string(keys) + "}]}";
}

TEST(Problems, UnknownKeysSuggestANearKnownKey) {
    expect_single_problems({
        {R"({"valt": "/v"})", R"(valt: unknown key; did you mean "vault"?)"},
        {R"({"Vault": "/v"})", R"(Vault: unknown key; did you mean "vault"?)"},
        {R"({"compression": {"lvl": 3}})",
         R"(compression.lvl: unknown key; did you mean "level"?)"},
        {R"({"access": {"reed": []}})", R"(access.reed: unknown key; did you mean "read"?)"},
    });
    EXPECT_THAT(problems_of(watch(R"("retension": {})")),
                ElementsAre(R"(watches[0].retension: unknown key; did you mean "retention"?)"));
    // A swap of two neighbours is one edit.
    EXPECT_THAT(
        problems_of(watch(R"("retention": {"keep_dialy": 7})")),
        ElementsAre(R"(watches[0].retention.keep_dialy: unknown key; did you mean "keep_daily"?)"));
    EXPECT_THAT(
        problems_of(watch(R"("triggers": {"on_chnage": true})")),
        ElementsAre(R"(watches[0].triggers.on_chnage: unknown key; did you mean "on_change"?)"));
}

TEST(Problems, UnknownKeyFarFromAnyKnownKeyListsThemAll) {
    expect_single_problems({
        {R"({"hooks": {"before": []}})",
         "hooks.before: unknown key; expected one of on_backup, on_failure, on_prune, on_restore, "
         "timeout, user"},
        {R"({"compression": {"x": 1}})",
         "compression.x: unknown key; expected one of codec, level, threads, byte_grouping"},
        {R"({"encryption": {"key_file": "/k", "cipher": "aes"}})",
         "encryption.cipher: unknown key; expected one of key_file"},
        {R"({"watches": [{"name": "w", "path": "/w", "triggers": {"schedule": {"every": "1h", "cron": "*"}}}]})",
         "watches[0].triggers.schedule.cron: unknown key; expected one of every, at"},
    });
}

TEST(Problems, OddKeysAreQuotedInThePath) {
    expect_single_problems({
        {R"({"hooks": {"on backup": []}})",
         R"(hooks."on backup": unknown key; did you mean "on_backup"?)"},
    });
}

TEST(Problems, DuplicateKeysAreReported) {
    EXPECT_THAT(problems_of(R"({"vault": "/a", "vault": "/b",
                                "watches": [{"name": "w", "path": "/w", "settle": "1s",
                                             "settle": "2s"}]})"),
                ElementsAre("vault: duplicate key; only the last value would count, remove the "
                            "others",
                            "watches[0].settle: duplicate key; only the last value would count, "
                            "remove the others"));
}

TEST(Problems, TopLevelTypesAndValues) {
    expect_single_problems({
        {R"({"vault": 5})", "vault: expected a string, got 5"},
        {R"({"vault": ""})", R"(vault: expected a path, got "")"},
        {R"({"vault": null})", "vault: expected a string, got null"},
        {R"({"socket": ["/s"]})", R"(socket: expected a string, got ["/s"])"},
        {R"({"log_level": "verbose"})",
         R"(log_level: expected one of "trace", "debug", "info", "warn", "error", "critical", "off", got "verbose")"},
        {R"({"compression": "zstd"})", R"(compression: expected an object, got "zstd")"},
        {R"({"compression": {"codec": "lz4"}})",
         R"(compression.codec: expected one of "zstd", "gzip", "xz", "none", got "lz4")"},
        {R"({"compression": {"level": "high"}})",
         R"(compression.level: expected an integer, got "high")"},
        {R"({"compression": {"threads": -1}})",
         "compression.threads: expected a non-negative integer (0 = one per CPU core), got -1"},
        {R"({"compression": {"threads": 2.5}})",
         "compression.threads: expected a non-negative integer (0 = one per CPU core), got 2.5"},
        {R"({"encryption": {}})",
         R"(encryption.key_file: required: the key file (32 raw bytes or 64 hex characters), such as "/etc/modelvault/vault.key")"},
        {R"({"encryption": {"key_file": ""}})", R"(encryption.key_file: expected a path, got "")"},
        {R"({"verify_after_write": "yes"})",
         R"(verify_after_write: expected true or false, got "yes")"},
        {R"({"verify_after_write": 1})", "verify_after_write: expected true or false, got 1"},
        {R"({"io_priority": "low"})",
         R"(io_priority: expected one of "idle", "best-effort", "normal", got "low")"},
        {R"({"access": {"socket_group": "-wheel"}})",
         R"(access.socket_group: expected a group name (letters, digits, . _ -, at most 32), got "-wheel")"},
        {R"({"access": {"read": ["alice", "bad name"]}})",
         R"(access.read[1]: expected a user name or "@group" (letters, digits, . _ -, at most 32), got "bad name")"},
        {R"({"access": {"write": ["@"]}})",
         R"(access.write[0]: expected a user name or "@group" (letters, digits, . _ -, at most 32), got "@")"},
        {R"({"access": {"write": "@admins"}})",
         R"(access.write: expected an array of strings, got "@admins")"},
        {R"({"hooks": {"on_backup": "/bin/notify"}})",
         R"(hooks.on_backup: expected an array of strings, got "/bin/notify")"},
        {R"({"hooks": {"on_failure": ["", "x"]}})",
         R"(hooks.on_failure[0]: expected the program to run, such as "/usr/local/bin/notify", got "")"},
        {R"({"hooks": {"on_failure": ["/bin/x", 3]}})",
         "hooks.on_failure[1]: expected a string, got 3"},
        {R"({"watches": {}})", "watches: expected an array of watch objects, got {}"},
        {R"({"watches": ["pacman"]})", R"(watches[0]: expected an object (a watch), got "pacman")"},
    });
}

TEST(Problems, TildeIsRefusedNotTakenAsAFolderName) {
    // A shell expands "~"; the daemon would have made a folder named "~".
    EXPECT_THAT(
        problems_of(R"({"vault": "~/vault", "watches": [{"name": "a", "path": "~bob/runs"}]})"),
        ElementsAre("vault: \"~\" is not expanded in the config, got \"~/vault\": write "
                    "the absolute path, such as \"/home/alice/vault\"",
                    "watches[0].path: \"~\" is not expanded in the config, got "
                    "\"~bob/runs\": write the absolute path, such as \"/home/bob/runs\""));
    EXPECT_THAT(problems_of(R"({"socket": "~"})"),
                ElementsAre("socket: \"~\" is not expanded in the config, got \"~\": write the "
                            "absolute path, such as \"/home/alice\""));
    // Elsewhere in a path "~" is an ordinary character.
    EXPECT_EQ(test::parse_ok(R"({"vault": "/srv/a~b/~"})").vault, "/srv/a~b/~");
}

TEST(Problems, PathWithANulCharacter) {
    EXPECT_THAT(problems_of(R"({"vault": "/a\u0000b"})"),
                ElementsAre(R"(vault: a path cannot contain a NUL character, got "/a\u0000b")"));
}

TEST(Problems, LongValuesAreShortened) {
    const std::string a(40, 'a');
    const std::string b(40, 'b');
    EXPECT_THAT(problems_of(R"({"vault": [")" + a + R"(", ")" + b + R"("]})"),
                ElementsAre(R"(vault: expected a string, got [")" + a + R"(",")" +
                            std::string(12, 'b') + "..."));
}

TEST(Problems, WatchNamesAndPaths) {
    expect_single_problems({
        {R"({"watches": [{"path": "/w"}]})",
         R"(watches[0].name: required: a unique name for the watch, such as "pacman")"},
        {R"({"watches": [{"name": "w"}]})",
         R"(watches[0].path: required: the directory to watch, such as "/srv/models")"},
        {R"({"watches": [{"name": "my model", "path": "/w"}]})",
         R"(watches[0].name: expected a name made of A-Z a-z 0-9 . _ - (not "." or ".."), got "my model")"},
        {R"({"watches": [{"name": "..", "path": "/w"}]})",
         R"(watches[0].name: expected a name made of A-Z a-z 0-9 . _ - (not "." or ".."), got "..")"},
        {R"({"watches": [{"name": ".", "path": "/w"}]})",
         R"(watches[0].name: expected a name made of A-Z a-z 0-9 . _ - (not "." or ".."), got ".")"},
        {R"({"watches": [{"name": "a/b", "path": "/w"}]})",
         R"(watches[0].name: expected a name made of A-Z a-z 0-9 . _ - (not "." or ".."), got "a/b")"},
        {R"({"watches": [{"name": "", "path": "/w"}]})",
         R"(watches[0].name: expected a name made of A-Z a-z 0-9 . _ - (not "." or ".."), got "")"},
        {R"({"watches": [{"name": "w", "path": ""}]})",
         R"(watches[0].path: expected a path, got "")"},
        {R"({"watches": [{"name": "w", "path": false}]})",
         "watches[0].path: expected a string, got false"},
    });
}

TEST(Problems, WatchKeys) {
    const std::pair<std::string, std::string> cases[] = {
        {R"("layout": "dir")",
         R"(watches[0].layout: expected one of "files", "directory", got "dir")"},
        {R"("recursive": "true")", R"(watches[0].recursive: expected true or false, got "true")"},
        {R"("include": "*.pt")", R"(watches[0].include: expected an array of strings, got "*.pt")"},
        {R"("include": [""])",
         R"(watches[0].include[0]: expected a non-empty glob such as "*.pt", got "")"},
        {R"("exclude": ["ok", "/runs/*.tmp"])",
         R"(watches[0].exclude[1]: expected a glob such as "*.pt" or "runs/*.pt", got "/runs/*.tmp" (globs are relative to the watched directory and cannot start with "/"))"},
        {R"("sidecars": ["{step}.json"])",
         R"(watches[0].sidecars[0]: expected a relative file name template or glob such as "{stem}.json" or "logs/*.log", got "{step}.json" (unknown placeholder {step}; use {stem} or {name}))"},
        {R"("sidecars": ["/etc/passwd"])",
         R"(watches[0].sidecars[0]: expected a relative file name template or glob such as "{stem}.json" or "logs/*.log", got "/etc/passwd" (it must not start with "/"))"},
        {R"("sidecars": ["a/../../b"])",
         R"(watches[0].sidecars[0]: expected a relative file name template or glob such as "{stem}.json" or "logs/*.log", got "a/../../b" (it must not contain ".." components))"},
        {R"("sidecars": ["{stem.json"])",
         R"(watches[0].sidecars[0]: expected a relative file name template or glob such as "{stem}.json" or "logs/*.log", got "{stem.json" ("{" without "}"))"},
        {R"("sidecars": ["stem}.json"])",
         R"(watches[0].sidecars[0]: expected a relative file name template or glob such as "{stem}.json" or "logs/*.log", got "stem}.json" ("}" without "{"))"},
        {R"("sidecars": [""])",
         R"(watches[0].sidecars[0]: expected a relative file name template or glob such as "{stem}.json" or "logs/*.log", got "")"},
        // A name open_beneath() could never open would be skipped at every backup.
        {R"("sidecars": ["logs//train.log"])",
         R"(watches[0].sidecars[0]: expected a relative file name template or glob such as "{stem}.json" or "logs/*.log", got "logs//train.log" (it must not contain "//"))"},
        {R"("sidecars": ["./config.json"])",
         R"(watches[0].sidecars[0]: expected a relative file name template or glob such as "{stem}.json" or "logs/*.log", got "./config.json" (it must not contain "." components))"},
        {R"("sidecars": ["logs/"])",
         R"(watches[0].sidecars[0]: expected a relative file name template or glob such as "{stem}.json" or "logs/*.log", got "logs/" (it must not end with "/"))"},
        {R"("sidecars": ["logs/**/*.log"])",
         R"(watches[0].sidecars[0]: expected a relative file name template or glob such as "{stem}.json" or "logs/*.log", got "logs/**/*.log" ("**" (any depth) is not supported: * matches within one folder, write one pattern per folder level))"},
        // The metrics file is one file: a glob would never be read.
        {R"("triggers": {"improvement": {"metric": "/m", "metrics_file": "eval/*.json"}})",
         R"(watches[0].triggers.improvement.metrics_file: expected a relative file name template such as "{stem}.json", got "eval/*.json" (it names one file: *, ? and [ are not allowed here (sidecars may be globs)))"},
        {R"("compat": {"file": "./config.json", "keys": ["/a"]})",
         R"(watches[0].compat.file: expected a file name relative to the model such as "config.json", got "./config.json" (it must not contain "." components))"},
        {R"("settle": "50ms")",
         R"(watches[0].settle: expected a duration of at least 100ms, got "50ms")"},
        {R"("settle": 2)", R"(watches[0].settle: expected a duration string such as "30s", got 2)"},
        {R"("settle": "2 seconds")",
         R"(watches[0].settle: expected a duration such as 30s, 5m, 6h, 7d, got "2 seconds" (unexpected " " after a number; expected a unit: ms, s, m, h, d or w))"},
        {R"("triggers": true)", "watches[0].triggers: expected an object, got true"},
        {R"("triggers": {"on_change": "yes"})",
         R"(watches[0].triggers.on_change: expected true or false, got "yes")"},
    };
    for (const auto& [keys, expected] : cases) {
        SCOPED_TRACE(keys);
        EXPECT_THAT(problems_of(watch(keys)), ElementsAre(expected));
    }
}

TEST(Problems, Triggers) {
    const std::pair<std::string, std::string> cases[] = {
        {R"("triggers": {"schedule": {}})",
         R"(watches[0].triggers.schedule: expected "every" and/or "at", such as {"every": "6h"}, got {})"},
        {R"("triggers": {"schedule": {"at": []}})",
         R"(watches[0].triggers.schedule: expected "every" and/or "at", such as {"every": "6h"}, got {"at":[]})"},
        {R"("triggers": {"schedule": {"every": "500ms"}})",
         R"(watches[0].triggers.schedule.every: expected a duration of at least 1s, got "500ms")"},
        {R"("triggers": {"schedule": {"at": ["2:00"]}})",
         R"(watches[0].triggers.schedule.at[0]: expected a time of day "HH:MM" from "00:00" to "23:59", got "2:00")"},
        {R"("triggers": {"schedule": {"at": ["24:00"]}})",
         R"(watches[0].triggers.schedule.at[0]: expected a time of day "HH:MM" from "00:00" to "23:59", got "24:00")"},
        {R"("triggers": {"schedule": {"at": ["12:60"]}})",
         R"(watches[0].triggers.schedule.at[0]: expected a time of day "HH:MM" from "00:00" to "23:59", got "12:60")"},
        {R"("triggers": {"schedule": {"at": ["02:00", "14:00", "02:00"]}})",
         R"(watches[0].triggers.schedule.at[2]: "02:00" is listed twice; list each time once)"},
        {R"("triggers": {"improvement": {}})",
         R"(watches[0].triggers.improvement.metric: required: the JSON pointer of the metric in the metrics file, such as "/eval/win_rate")"},
        {R"("triggers": {"improvement": {"metric": "eval/win_rate"}})",
         R"(watches[0].triggers.improvement.metric: expected a JSON pointer such as "/eval/win_rate", got "eval/win_rate" (it must be empty or start with "/"))"},
        {R"("triggers": {"improvement": {"metric": "/a~2"}})",
         R"(watches[0].triggers.improvement.metric: expected a JSON pointer such as "/eval/win_rate", got "/a~2" ("~" must be followed by 0 or 1))"},
        {R"("triggers": {"improvement": {"metric": "/m", "mode": "best"}})",
         R"(watches[0].triggers.improvement.mode: expected one of "max", "min", got "best")"},
        {R"("triggers": {"improvement": {"metric": "/m", "min_delta": -0.5}})",
         "watches[0].triggers.improvement.min_delta: expected a non-negative number, got -0.5"},
        {R"("triggers": {"improvement": {"metric": "/m", "min_relative": "5%"}})",
         R"(watches[0].triggers.improvement.min_relative: expected a non-negative number (0.05 = 5 %), got "5%")"},
        {R"("triggers": {"improvement": {"metric": "/m", "metrics_file": "../m.json"}})",
         R"(watches[0].triggers.improvement.metrics_file: expected a relative file name template such as "{stem}.json", got "../m.json" (it must not contain ".." components))"},
        {R"("triggers": {"steps": {"every": 10}})",
         R"(watches[0].triggers.steps.counter: required: the JSON pointer of the step counter in the metrics file, such as "/episode")"},
        {R"("triggers": {"steps": {"counter": "/episode"}})",
         "watches[0].triggers.steps.every: required: a positive integer, the number of steps "
         "between versions"},
        {R"("triggers": {"steps": {"counter": "/episode", "every": 0}})",
         "watches[0].triggers.steps.every: expected a positive integer, got 0"},
        {R"("triggers": {"steps": {"counter": "/episode", "every": 1e3}})",
         "watches[0].triggers.steps.every: expected a positive integer, got 1000.0"},
        {R"("triggers": {"steps": {"counter": "/e", "every": 5, "metrics_file": "{x}"}})",
         R"(watches[0].triggers.steps.metrics_file: expected a relative file name template such as "{stem}.json", got "{x}" (unknown placeholder {x}; use {stem} or {name}))"},
    };
    for (const auto& [keys, expected] : cases) {
        SCOPED_TRACE(keys);
        EXPECT_THAT(problems_of(watch(keys)), ElementsAre(expected));
    }
}

TEST(Problems, CompatAndRetention) {
    const std::pair<std::string, std::string> cases[] = {
        {R"("compat": {"keys": ["/a"]})",
         R"(watches[0].compat.file: required: the JSON file next to the model whose keys decide compatibility, such as "config.json")"},
        {R"("compat": {"file": "config.json"})",
         R"(watches[0].compat.keys: required: the JSON pointers whose change means a major version, such as ["/policy_architecture"])"},
        {R"("compat": {"file": "/etc/config.json", "keys": ["/a"]})",
         R"(watches[0].compat.file: expected a file name relative to the model such as "config.json", got "/etc/config.json" (it must not start with "/"))"},
        {R"("compat": {"file": "../config.json", "keys": ["/a"]})",
         R"(watches[0].compat.file: expected a file name relative to the model such as "config.json", got "../config.json" (it must not contain ".." components))"},
        {R"("compat": {"file": "c.json", "keys": []})",
         R"(watches[0].compat.keys: expected a non-empty array of JSON pointers such as ["/policy_architecture"], got [])"},
        {R"("compat": {"file": "c.json", "keys": ["shape"]})",
         R"(watches[0].compat.keys[0]: expected a JSON pointer such as "/eval/win_rate", got "shape" (it must be empty or start with "/"))"},
        {R"("retention": {"keep_daily": "seven"})",
         R"(watches[0].retention.keep_daily: expected a non-negative integer, got "seven")"},
        {R"("retention": {"keep_last": -1})",
         "watches[0].retention.keep_last: expected a non-negative integer, got -1"},
        {R"("retention": {"keep_yearly": 2147483648})",
         "watches[0].retention.keep_yearly: expected a non-negative integer, got 2147483648"},
        {R"("retention": {"keep_within": "7"})",
         R"(watches[0].retention.keep_within: expected a duration such as 30s, 5m, 6h, 7d, got "7" (missing unit: add ms, s, m, h, d or w))"},
        {R"("retention": {"keep_within_monthly": "1mo"})",
         R"(watches[0].retention.keep_within_monthly: expected a duration such as 30s, 5m, 6h, 7d, got "1mo" (unknown unit "mo"; units are ms, s, m, h, d, w))"},
        {R"("retention": {"keep_tags": ["best", "my tag"]})",
         R"(watches[0].retention.keep_tags[1]: expected a tag name made of A-Z a-z 0-9 . _ -, got "my tag")"},
        {R"("retention": {"max_versions": 0})",
         "watches[0].retention.max_versions: expected an integer of at least 1, got 0"},
    };
    for (const auto& [keys, expected] : cases) {
        SCOPED_TRACE(keys);
        EXPECT_THAT(problems_of(watch(keys)), ElementsAre(expected));
    }
}

TEST(Problems, ManyProblemsInOneFileAreAllReportedInReadingOrder) {
    const auto problems = problems_of(R"({
        // Twelve mistakes, all reported in one run.
        "vault": "",
        "log_level": "verbose",
        "compression": {"codec": "gzip", "level": 12},
        "verfy_after_write": true,
        "defaults": {"settle": "10ms"},
        "watches": [
            {"name": "pacman", "path": "/srv/pacman"},
            {"name": "pacman", "path": "/srv/other",
             "retention": {"keep_daily": "seven", "keep_weekly": -4, "max_versions": 0},
             "triggers": {"schedule": {"every": "1x"}, "improvement": {"mode": "max"}}},
            {"path": "/srv/third", "include": ["*.pt", 7]}
        ]
    })");
    EXPECT_THAT(
        problems,
        ElementsAre(
            R"(vault: expected a path, got "")",
            R"(log_level: expected one of "trace", "debug", "info", "warn", "error", "critical", "off", got "verbose")",
            "compression.level: expected an integer from 1 to 9 for gzip, got 12",
            R"(verfy_after_write: unknown key; did you mean "verify_after_write"?)",
            R"(defaults.settle: expected a duration of at least 100ms, got "10ms")",
            R"(watches[1].retention.keep_daily: expected a non-negative integer, got "seven")",
            "watches[1].retention.keep_weekly: expected a non-negative integer, got -4",
            "watches[1].retention.max_versions: expected an integer of at least 1, got 0",
            R"(watches[1].triggers.schedule.every: expected a duration such as 30s, 5m, 6h, 7d, got "1x" (unknown unit "x"; units are ms, s, m, h, d, w))",
            R"(watches[1].triggers.improvement.metric: required: the JSON pointer of the metric in the metrics file, such as "/eval/win_rate")",
            R"(watches[1].name: "pacman" is already the name of watches[0]; names must be unique)",
            "watches[2].include[1]: expected a string, got 7",
            R"(watches[2].name: required: a unique name for the watch, such as "pacman")"));
}

TEST(Problems, ValidConfigHasNone) {
    EXPECT_THAT(problems_of(watch(R"("settle": "1s")")), IsEmpty());
}

TEST(Problems, ErrorMentionsProblemsInThrownMessage) {
    try {
        parse_config(R"({"vault": 1})", "/etc", "/etc/mv.json");
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& error) {
        EXPECT_THAT(error.what(), HasSubstr("vault: expected a string, got 1"));
    }
}

} // namespace
} // namespace mv::config
