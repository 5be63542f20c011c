// The whole file: empty configs, comments, syntax errors, the documented example, top-level
// keys, relative path resolution and load_config() on real files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/duration.hpp"
#include "config/load.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/unit/config/problems.hpp"

namespace mv::config {
namespace {

using namespace std::chrono_literals;
using test::parse_ok;
using test::problems_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

// The example config of the product specification, copied verbatim.
constexpr const char* k_spec_example = R"json({
  "vault": "/var/lib/modelvault",                 // where backups live (created if absent)
  "socket": "/run/modelvault/modelvault.sock",
  "log_level": "info",
  "compression": { "codec": "zstd", "level": 3, "threads": 0 },   // zstd|gzip|xz|none; 0 = all cores
  "encryption": { "key_file": "/etc/modelvault/vault.key" },      // optional
  "verify_after_write": true,
  "io_priority": "idle",                          // idle|best-effort|normal: never slow training
  "access": { "socket_group": "modelvault", "read": ["@modelvault"], "write": ["@modelvault-admin"] },
  "hooks": { "on_backup": ["/usr/local/bin/notify", "{model}", "{version}"], "on_failure": [] },
  "defaults": { /* any watch key below, inherited by every watch */ },
  "watches": [
    {
      "name": "pacman",                           // unique; [A-Za-z0-9._-]+
      "path": "/srv/models/pacman",
      "layout": "files",                          // files: each matching file is a model
                                                  // directory: the whole tree is one model (SavedModel, HF folder)
      "recursive": true,
      "include": ["*.h5", "*.pkl", "*.zip", "*.pt", "*.onnx", "*.safetensors"],
      "exclude": ["tmp_*", "*.tmp", "*.partial", ".*"],
      "sidecars": ["{stem}.metrics.json", "config.yaml", "params.md"],  // stored with the model
      "settle": "2s",                             // quiet time after the last write
      "triggers": {
        "on_change": true,
        "schedule": { "every": "6h", "at": ["02:00", "14:00"] },      // local time
        "improvement": { "metrics_file": "{stem}.metrics.json", "metric": "/eval/win_rate",
                         "mode": "max", "min_delta": 0.0, "min_relative": 0.05 },
        "steps": { "metrics_file": "{stem}.metrics.json", "counter": "/episode", "every": 1000 }
      },
      "compat": { "file": "config.json",
                  "keys": ["/observation_space_shape", "/action_space_shape", "/policy_architecture"] },
      "retention": {
        "keep_last": 3, "keep_hourly": 24, "keep_daily": 7, "keep_weekly": 4,
        "keep_monthly": 12, "keep_yearly": 0,
        "keep_within": "7d", "keep_within_daily": "30d", "keep_within_weekly": "90d",
        "keep_within_monthly": "0d", "keep_within_yearly": "0d",
        "keep_tags": ["best", "pinned", "baseline"], "max_versions": 50
      }
    }
  ]
})json";

void expect_default_top_level(const Config& config) {
    const Config defaults;
    EXPECT_EQ(config.vault, defaults.vault);
    EXPECT_EQ(config.socket, defaults.socket);
    EXPECT_EQ(config.log_level, LogLevel::info);
    EXPECT_EQ(config.compression.codec, Codec::zstd);
    EXPECT_EQ(config.compression.level, 3);
    EXPECT_EQ(config.compression.threads, 0);
    EXPECT_FALSE(config.encryption.has_value());
    EXPECT_TRUE(config.verify_after_write);
    EXPECT_EQ(config.io_priority, IoPriority::idle);
    EXPECT_EQ(config.access.socket_group, "");
    EXPECT_TRUE(config.access.read.empty());
    EXPECT_TRUE(config.access.write.empty());
    EXPECT_TRUE(config.hooks.on_backup.empty());
    EXPECT_TRUE(config.hooks.on_failure.empty());
    EXPECT_TRUE(config.watches.empty());
}

TEST(ParseConfig, EmptyTextIsAConfigWithoutWatches) {
    expect_default_top_level(parse_ok(""));
    expect_default_top_level(parse_ok(" \n\t\r\n"));
}

TEST(ParseConfig, EmptyObjectIsAConfigWithoutWatches) {
    expect_default_top_level(parse_ok("{}"));
    expect_default_top_level(parse_ok(R"({"watches": []})"));
}

TEST(ParseConfig, FileWithOnlyCommentsIsEmpty) {
    expect_default_top_level(parse_ok("// nothing yet\n/* to be\n   written */\n"));
}

TEST(ParseConfig, CommentsOfBothKindsAnywhere) {
    const Config config = parse_ok(R"(
        // A line comment before the document.
        {
          /* a block comment before a key */ "log_level": /* before a value */ "debug", // trailing
          "access": {
            "read": [
              "alice", // a line comment inside an array
              "@ml" /* a block comment inside an array */
            ]
          },
          "vault": "/srv//vault" // "//" inside a string is not a comment
        }
        /* a block comment after the document */
    )");
    EXPECT_EQ(config.log_level, LogLevel::debug);
    EXPECT_THAT(config.access.read, ElementsAre("alice", "@ml"));
    EXPECT_EQ(config.vault, "/srv/vault");
}

TEST(ParseConfig, SyntaxErrorIsOneProblemWithLineAndColumn) {
    const auto problems = problems_of("{\n  \"vault\": \"/x\",\n  }\n");
    ASSERT_THAT(problems, SizeIs(1));
    EXPECT_THAT(problems[0], StartsWith("invalid JSON: parse error at line 3, column 3: "));
}

TEST(ParseConfig, ANumberNoDoubleHoldsIsAProblemNotACrash) {
    // Found by tests/fuzz/fuzz_config: 1e999 escaped as nlohmann's out_of_range and
    // `modelvaultd --check-config` aborted.
    EXPECT_THAT(problems_of(R"({"compression": {"level": 1e999}})"),
                ElementsAre("invalid JSON: number overflow parsing '1e999'; numbers must fit in "
                            "a 64-bit floating-point value"));
}

TEST(ParseConfig, UnterminatedCommentIsASyntaxError) {
    const auto problems = problems_of("{} /* never closed");
    ASSERT_THAT(problems, SizeIs(1));
    EXPECT_THAT(problems[0], StartsWith("invalid JSON: parse error at line 1"));
}

TEST(ParseConfig, TopLevelMustBeAnObject) {
    EXPECT_THAT(problems_of("[1, 2]"),
                ElementsAre("expected a JSON object at the top level, got [1,2]"));
    EXPECT_THAT(problems_of("\"vault\""),
                ElementsAre("expected a JSON object at the top level, got \"vault\""));
}

TEST(ParseConfig, SpecExampleParses) {
    const Config config = parse_ok(k_spec_example);
    EXPECT_THAT(config.hooks.on_backup,
                ElementsAre("/usr/local/bin/notify", "{model}", "{version}"));
    EXPECT_EQ(config.vault, "/var/lib/modelvault");
    EXPECT_EQ(config.socket, "/run/modelvault/modelvault.sock");
    EXPECT_EQ(config.log_level, LogLevel::info);
    EXPECT_EQ(config.compression.codec, Codec::zstd);
    EXPECT_EQ(config.compression.level, 3);
    EXPECT_EQ(config.compression.threads, 0);
    ASSERT_TRUE(config.encryption.has_value());
    EXPECT_EQ(config.encryption->key_file, "/etc/modelvault/vault.key");
    EXPECT_TRUE(config.verify_after_write);
    EXPECT_EQ(config.io_priority, IoPriority::idle);
    EXPECT_EQ(config.access.socket_group, "modelvault");
    EXPECT_THAT(config.access.read, ElementsAre("@modelvault"));
    EXPECT_THAT(config.access.write, ElementsAre("@modelvault-admin"));

    ASSERT_THAT(config.watches, SizeIs(1));
    const Watch& watch = config.watches[0];
    EXPECT_EQ(watch.name, "pacman");
    EXPECT_EQ(watch.path, "/srv/models/pacman");
    EXPECT_EQ(watch.layout, Layout::files);
    EXPECT_TRUE(watch.recursive);
    EXPECT_THAT(watch.include,
                ElementsAre("*.h5", "*.pkl", "*.zip", "*.pt", "*.onnx", "*.safetensors"));
    EXPECT_THAT(watch.exclude, ElementsAre("tmp_*", "*.tmp", "*.partial", ".*"));
    EXPECT_THAT(watch.sidecars, ElementsAre("{stem}.metrics.json", "config.yaml", "params.md"));
    EXPECT_EQ(watch.settle, 2s);

    EXPECT_TRUE(watch.triggers.on_change);
    ASSERT_TRUE(watch.triggers.schedule.has_value());
    EXPECT_EQ(watch.triggers.schedule->every, Duration(6h));
    EXPECT_THAT(watch.triggers.schedule->at, ElementsAre(TimeOfDay{2, 0}, TimeOfDay{14, 0}));
    ASSERT_TRUE(watch.triggers.improvement.has_value());
    EXPECT_EQ(watch.triggers.improvement->metrics_file, "{stem}.metrics.json");
    EXPECT_EQ(watch.triggers.improvement->metric, "/eval/win_rate");
    EXPECT_EQ(watch.triggers.improvement->mode, MetricMode::max);
    EXPECT_EQ(watch.triggers.improvement->min_delta, 0.0);
    EXPECT_EQ(watch.triggers.improvement->min_relative, 0.05);
    ASSERT_TRUE(watch.triggers.steps.has_value());
    EXPECT_EQ(watch.triggers.steps->metrics_file, "{stem}.metrics.json");
    EXPECT_EQ(watch.triggers.steps->counter, "/episode");
    EXPECT_EQ(watch.triggers.steps->every, 1000);

    ASSERT_TRUE(watch.compat.has_value());
    EXPECT_EQ(watch.compat->file, "config.json");
    EXPECT_THAT(watch.compat->keys, ElementsAre("/observation_space_shape", "/action_space_shape",
                                                "/policy_architecture"));

    ASSERT_TRUE(watch.retention.has_value());
    const RetentionPolicy& retention = *watch.retention;
    EXPECT_EQ(retention.keep_last, 3);
    EXPECT_EQ(retention.keep_hourly, 24);
    EXPECT_EQ(retention.keep_daily, 7);
    EXPECT_EQ(retention.keep_weekly, 4);
    EXPECT_EQ(retention.keep_monthly, 12);
    EXPECT_EQ(retention.keep_yearly, 0);
    EXPECT_EQ(retention.keep_within, Duration(7 * 24h));
    EXPECT_FALSE(retention.keep_within_hourly.has_value());
    EXPECT_EQ(retention.keep_within_daily, Duration(30 * 24h));
    EXPECT_EQ(retention.keep_within_weekly, Duration(90 * 24h));
    EXPECT_EQ(retention.keep_within_monthly, Duration(0));
    EXPECT_EQ(retention.keep_within_yearly, Duration(0));
    EXPECT_THAT(retention.keep_tags, ElementsAre("best", "pinned", "baseline"));
    EXPECT_EQ(retention.max_versions, 50);
}

TEST(ParseConfig, EveryTopLevelKeyWithNonDefaultValues) {
    const Config config = parse_ok(R"({
        "vault": "/data/vault",
        "socket": "/run/mv.sock",
        "log_level": "trace",
        "compression": {"codec": "xz", "level": 0, "threads": 4},
        "verify_after_write": false,
        "io_priority": "best-effort",
        "access": {"socket_group": "", "read": ["alice", "@ml-team"], "write": ["bob$"]}
    })");
    EXPECT_EQ(config.vault, "/data/vault");
    EXPECT_EQ(config.socket, "/run/mv.sock");
    EXPECT_EQ(config.log_level, LogLevel::trace);
    EXPECT_EQ(config.compression.codec, Codec::xz);
    EXPECT_EQ(config.compression.level, 0);
    EXPECT_EQ(config.compression.threads, 4);
    EXPECT_FALSE(config.verify_after_write);
    EXPECT_EQ(config.io_priority, IoPriority::best_effort);
    EXPECT_EQ(config.access.socket_group, "");
    EXPECT_THAT(config.access.read, ElementsAre("alice", "@ml-team"));
    EXPECT_THAT(config.access.write, ElementsAre("bob$"));
}

TEST(ParseConfig, EveryLogLevelAndPriority) {
    const std::pair<const char*, LogLevel> levels[] = {
        {"trace", LogLevel::trace}, {"debug", LogLevel::debug}, {"info", LogLevel::info},
        {"warn", LogLevel::warn},   {"error", LogLevel::error}, {"critical", LogLevel::critical},
        {"off", LogLevel::off}};
    for (const auto& [text, level] : levels) {
        SCOPED_TRACE(text);
        EXPECT_EQ(parse_ok(std::string(R"({"log_level": ")") + text + "\"}").log_level, level);
    }
    EXPECT_EQ(parse_ok(R"({"io_priority": "normal"})").io_priority, IoPriority::normal);
    EXPECT_EQ(parse_ok(R"({"io_priority": "idle"})").io_priority, IoPriority::idle);
}

TEST(ParseConfig, CompressionLevelRangeFollowsTheCodec) {
    EXPECT_EQ(parse_ok(R"({"compression": {"codec": "zstd", "level": 19}})").compression.level, 19);
    EXPECT_EQ(parse_ok(R"({"compression": {"codec": "gzip", "level": 9}})").compression.level, 9);
    EXPECT_EQ(parse_ok(R"({"compression": {"codec": "xz", "level": 9}})").compression.level, 9);
    // `none` compresses nothing, so any level is accepted (and ignored).
    EXPECT_EQ(parse_ok(R"({"compression": {"codec": "none", "level": 100}})").compression.codec,
              Codec::none);
    // Without a codec the default (zstd) decides the range.
    EXPECT_THAT(problems_of(R"({"compression": {"level": 0}})"),
                ElementsAre("compression.level: expected an integer from 1 to 19 for zstd, got 0"));
    EXPECT_THAT(
        problems_of(R"({"compression": {"codec": "zstd", "level": 20}})"),
        ElementsAre("compression.level: expected an integer from 1 to 19 for zstd, got 20"));
    // The level may come before the codec in the file.
    EXPECT_THAT(problems_of(R"({"compression": {"level": 10, "codec": "gzip"}})"),
                ElementsAre("compression.level: expected an integer from 1 to 9 for gzip, got 10"));
    EXPECT_THAT(problems_of(R"({"compression": {"codec": "xz", "level": -1}})"),
                ElementsAre("compression.level: expected an integer from 0 to 9 for xz, got -1"));
}

TEST(ParseConfig, RelativePathsResolveAgainstTheBaseDirectory) {
    const Config config = parse_config(R"({
        "vault": "vault",
        "socket": "../run//mv.sock",
        "watches": [{"name": "a", "path": "models/./a/"}]
    })",
                                       "/etc/modelvault");
    EXPECT_EQ(config.vault, "/etc/modelvault/vault");
    EXPECT_EQ(config.socket, "/etc/run/mv.sock");
    EXPECT_EQ(config.watches[0].path, "/etc/modelvault/models/a");
}

TEST(ParseConfig, AbsolutePathsAreMadeLexicallyNormal) {
    const Config config = parse_ok(R"({
        "vault": "/data//vault/../backups/",
        "watches": [{"name": "a", "path": "/srv/./models/"}]
    })");
    EXPECT_EQ(config.vault, "/data/backups");
    EXPECT_EQ(config.watches[0].path, "/srv/models");
}

TEST(ParseConfig, RelativeBaseDirectoryIsMadeAbsolute) {
    const Config config = parse_config(R"({"vault": "v"})", "conf");
    EXPECT_EQ(config.vault, (std::filesystem::current_path() / "conf/v").lexically_normal());
}

TEST(ParseConfig, SocketPathLongerThanSunPathIsRejected) {
    const std::string ok = "/run/" + std::string(102, 's'); // 107 bytes
    EXPECT_EQ(parse_ok(R"({"socket": ")" + ok + "\"}").socket, ok);
    const std::string long_path = ok + "x"; // 108 bytes
    EXPECT_THAT(problems_of(R"({"socket": ")" + long_path + "\"}"),
                ElementsAre("socket: \"" + long_path +
                            "\" is 108 bytes long, but a Unix socket path can be at most 107 "
                            "bytes (sun_path limit); choose a shorter path such as "
                            "\"/run/modelvault/modelvault.sock\""));
}

TEST(ParseConfig, SocketLengthCountsTheResolvedPath) {
    // 100 bytes as written, but more than 107 once placed under the base directory.
    const std::string relative(100, 'r');
    const auto problems = problems_of(R"({"socket": ")" + relative + "\"}");
    ASSERT_THAT(problems, SizeIs(1));
    EXPECT_THAT(problems[0], HasSubstr("is 116 bytes long"));
}

TEST(ParseConfig, SourceNamesTheFile) {
    EXPECT_EQ(parse_config("{}", "/etc", "/etc/mv.json").source, "/etc/mv.json");
}

TEST(ConfigError, OneLinePerProblemPrefixedWithTheFile) {
    try {
        parse_config(R"({"log_level": 1, "verify_after_write": "no"})", "/etc", "/etc/mv.json");
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& error) {
        EXPECT_EQ(error.code(), ErrorCode::invalid_argument);
        EXPECT_THAT(error.problems(), SizeIs(2));
        EXPECT_EQ(std::string(error.what()),
                  "/etc/mv.json: log_level: expected one of \"trace\", \"debug\", \"info\", "
                  "\"warn\", \"error\", \"critical\", \"off\", got 1\n"
                  "/etc/mv.json: verify_after_write: expected true or false, got \"no\"");
    }
}

TEST(Problem, ToStringJoinsPathAndMessage) {
    EXPECT_EQ((Problem{"watches[1].retention.keep_daily",
                       "expected a non-negative integer, got \"seven\""})
                  .to_string(),
              "watches[1].retention.keep_daily: expected a non-negative integer, got \"seven\"");
    EXPECT_EQ((Problem{"", "invalid JSON"}).to_string(), "invalid JSON");
}

TEST(LoadConfig, ReadsTheFileAndResolvesAgainstItsDirectory) {
    mv::test::TempDir dir("load");
    mv::test::write_file(dir / "etc/modelvault.json", R"({
        // relative to the file, not to the working directory
        "vault": "../vault",
        "watches": [{"name": "m", "path": "models"}]
    })");
    const Config config = load_config(dir / "etc/modelvault.json");
    EXPECT_EQ(config.source, dir / "etc/modelvault.json");
    EXPECT_EQ(config.vault, dir / "vault");
    ASSERT_THAT(config.watches, SizeIs(1));
    EXPECT_EQ(config.watches[0].path, dir / "etc/models");
}

TEST(LoadConfig, MissingFileNamesTheFileAndTheReason) {
    mv::test::TempDir dir("load");
    const auto file = dir / "absent.json";
    try {
        load_config(file);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& error) {
        ASSERT_THAT(error.problems(), SizeIs(1));
        EXPECT_THAT(error.problems()[0].message, HasSubstr(file.string()));
        EXPECT_THAT(error.problems()[0].message, HasSubstr("No such file or directory"));
        EXPECT_THAT(error.what(), StartsWith(file.string() + ": "));
    }
}

TEST(LoadConfig, UnreadableFileNamesTheReason) {
    // A directory opens but cannot be read: EISDIR, whoever runs the test (even root).
    mv::test::TempDir dir("load");
    try {
        load_config(dir.path());
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& error) {
        ASSERT_THAT(error.problems(), SizeIs(1));
        EXPECT_THAT(error.problems()[0].message, HasSubstr(dir.path().string()));
        EXPECT_THAT(error.problems()[0].message, HasSubstr("Is a directory"));
    }
}

TEST(LoadConfig, InvalidContentListsEveryProblemWithTheFile) {
    mv::test::TempDir dir("load");
    mv::test::write_file(dir / "bad.json", R"({"vault": "", "log_level": "loud"})");
    try {
        load_config(dir / "bad.json");
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& error) {
        const std::string file = (dir / "bad.json").string();
        EXPECT_EQ(std::string(error.what()),
                  file + ": vault: expected a path, got \"\"\n" + file +
                      ": log_level: expected one of \"trace\", \"debug\", \"info\", \"warn\", "
                      "\"error\", \"critical\", \"off\", got \"loud\"");
    }
}

} // namespace
} // namespace mv::config
