// The notification keys (docs/CONFIG.md): hooks (global and per watch), webhooks, metrics,
// dbus and warn_free_below — what they accept, and the problem each bad value gets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/hook_argument.hpp"
#include "config/load.hpp"
#include "config/size.hpp"
#include "tests/unit/config/problems.hpp"

namespace mv::config {
namespace {

using namespace std::chrono_literals;
using test::parse_ok;
using test::problems_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

TEST(NotifyConfig, HooksTakeEveryEventATimeoutAndAUser) {
    const Config config = parse_ok(R"({"hooks": {
        "on_backup": ["/usr/local/bin/notify", "{model}", "{version}"],
        "on_failure": ["/usr/bin/logger", "-t", "modelvault", "{model}: {error}"],
        "on_prune": ["/bin/true"], "on_restore": ["/bin/echo", "{{literal}}"],
        "timeout": "5s", "user": "mvhooks"}})");
    EXPECT_THAT(config.hooks.on_backup,
                ElementsAre("/usr/local/bin/notify", "{model}", "{version}"));
    EXPECT_THAT(config.hooks.on_failure.back(), "{model}: {error}");
    EXPECT_THAT(config.hooks.on_prune, ElementsAre("/bin/true"));
    EXPECT_THAT(config.hooks.on_restore, ElementsAre("/bin/echo", "{{literal}}"));
    EXPECT_EQ(config.hooks.timeout, 5s);
    EXPECT_EQ(config.hooks.user, "mvhooks");
    // Defaults: no hooks, 30 s, no user.
    const Config plain = parse_ok("{}");
    EXPECT_TRUE(plain.hooks.on_prune.empty());
    EXPECT_EQ(plain.hooks.timeout, 30s);
    EXPECT_EQ(plain.hooks.user, "");
}

TEST(NotifyConfig, HookArgumentsAreCheckedAgainstThePlaceholders) {
    const auto problems = problems_of(R"({"hooks": {"on_backup": ["/bin/x", "{modle}"]}})");
    ASSERT_THAT(problems, ::testing::SizeIs(1));
    EXPECT_THAT(problems[0], HasSubstr("hooks.on_backup[1]: unknown placeholder {modle}; "
                                       "placeholders are {event} {time}"));
    EXPECT_THAT(problems[0], HasSubstr("{model}"));
    EXPECT_THAT(problems_of(R"({"hooks": {"on_backup": ["/bin/x", "a}b"]}})"),
                ElementsAre(HasSubstr("\"}\" without \"{\" (write \"}}\" for a literal \"}\")")));
    EXPECT_THAT(problems_of(R"({"hooks": {"on_backup": ["/bin/x", "{model"]}})"),
                ElementsAre(HasSubstr("\"{\" without \"}\"")));
}

TEST(NotifyConfig, TheProgramIsAnAbsolutePathWithoutPlaceholders) {
    EXPECT_THAT(problems_of(R"({"hooks": {"on_backup": ["notify-send", "x"]}})"),
                ElementsAre(HasSubstr("hooks.on_backup[0]: expected the absolute path of the "
                                      "program, such as \"/usr/local/bin/notify\", got "
                                      "\"notify-send\" (hooks run without a shell and without a "
                                      "PATH search")));
    EXPECT_THAT(problems_of(R"({"hooks": {"on_failure": ["/bin/{model}"]}})"),
                ElementsAre(HasSubstr("hooks.on_failure[0]: expected the absolute path")));
}

TEST(NotifyConfig, TimeoutAndUserAreBounded) {
    EXPECT_THAT(problems_of(R"({"hooks": {"timeout": "10ms"}})"),
                ElementsAre("hooks.timeout: expected a duration of at least 100ms, got \"10ms\""));
    EXPECT_THAT(problems_of(R"({"hooks": {"timeout": "2h"}})"),
                ElementsAre("hooks.timeout: expected at most 1h, got \"2h\""));
    EXPECT_THAT(problems_of(R"({"hooks": {"user": "no body"}})"),
                ElementsAre(HasSubstr("hooks.user: expected a user name")));
}

TEST(NotifyConfig, AWatchOverridesSomeHooksAndInheritsTheOthersFromDefaults) {
    const Config config = parse_ok(R"({
        "defaults": {"hooks": {"on_failure": ["/bin/mail", "{model}"]}},
        "watches": [
          {"name": "a", "path": "/srv/a", "hooks": {"on_backup": ["/bin/a"], "on_prune": []}},
          {"name": "b", "path": "/srv/b"}]})");
    const WatchHooks& a = config.watches[0].hooks;
    EXPECT_THAT(a.on_backup, Optional(ElementsAre("/bin/a")));
    EXPECT_THAT(a.on_prune, Optional(IsEmpty())) << "an empty array turns the hook off";
    EXPECT_THAT(a.on_failure, Optional(ElementsAre("/bin/mail", "{model}")));
    EXPECT_EQ(a.on_restore, std::nullopt);
    EXPECT_THAT(config.watches[1].hooks.on_failure, Optional(ElementsAre("/bin/mail", "{model}")));
    // timeout and user are global only.
    EXPECT_THAT(problems_of(R"({"watches": [{"name": "a", "path": "/srv/a",
                                             "hooks": {"timeout": "5s"}}]})"),
                ElementsAre(HasSubstr("watches[0].hooks.timeout: unknown key")));
}

TEST(NotifyConfig, WebhooksNeedAnHttpUrlAndKnownEvents) {
    const Config config = parse_ok(R"({"webhooks": [
        {"url": "https://hooks.example.com/mv", "events": ["backup_failed", "disk_low"],
         "secret_file": "webhook.secret"},
        {"url": "http://127.0.0.1:8080/x"}]})");
    ASSERT_EQ(config.webhooks.size(), 2u);
    EXPECT_THAT(config.webhooks[0].events,
                ElementsAre(NotifyEvent::backup_failed, NotifyEvent::disk_low));
    EXPECT_EQ(config.webhooks[0].secret_file, "/etc/modelvault/webhook.secret");
    EXPECT_EQ(config.webhooks[1].events.size(), std::size(k_notify_events)) << "default: all";
    EXPECT_TRUE(config.webhooks[1].secret_file.empty());

    EXPECT_THAT(problems_of(R"({"webhooks": [{"url": "ftp://x/y"}]})"),
                ElementsAre(HasSubstr("webhooks[0].url: expected an http:// or https:// URL "
                                      "such as \"https://hooks.example.com/mv\", got \"ftp://x/y\" "
                                      "(only http and https are sent)")));
    EXPECT_THAT(problems_of(R"({"webhooks": [{"url": "https:///path"}]})"),
                ElementsAre(HasSubstr("(the host is missing)")));
    EXPECT_THAT(problems_of(R"({"webhooks": [{"url": "https://a b"}]})"),
                ElementsAre(HasSubstr("spaces and control characters must be percent-encoded")));
    EXPECT_THAT(problems_of(R"({"webhooks": [{"events": ["pruned"]}]})"),
                ElementsAre(HasSubstr("webhooks[0].url: required")));
    EXPECT_THAT(problems_of(R"({"webhooks": [{"url": "https://x", "events": ["backup_done"]}]})"),
                ElementsAre(HasSubstr("webhooks[0].events[0]: expected one of \"backup_created\", "
                                      "\"backup_failed\", \"pruned\", \"restored\", "
                                      "\"replica_failed\", \"disk_low\", got \"backup_done\"")));
    EXPECT_THAT(problems_of(R"({"webhooks": [{"url": "https://x", "events": []}]})"),
                ElementsAre(HasSubstr("webhooks[0].events: expected a non-empty array")));
    EXPECT_THAT(problems_of(R"({"webhooks": {"url": "https://x"}})"),
                ElementsAre(HasSubstr("webhooks: expected an array of webhook objects")));
}

TEST(NotifyConfig, MetricsWantAPromFile) {
    EXPECT_EQ(
        parse_ok(R"({"metrics": {"textfile": "/var/lib/node/modelvault.prom"}})").metrics->textfile,
        "/var/lib/node/modelvault.prom");
    EXPECT_THAT(problems_of(R"({"metrics": {"textfile": "/var/lib/node/modelvault.txt"}})"),
                ElementsAre(HasSubstr("metrics.textfile: expected a file name ending in \".prom\" "
                                      "(node_exporter's textfile collector reads only those)")));
    EXPECT_THAT(problems_of(R"({"metrics": {}})"),
                ElementsAre(HasSubstr("metrics.textfile: required")));
}

TEST(NotifyConfig, ReportsWantATimeOfDayAndAFolder) {
    const auto config = parse_ok(R"({"reports": {"at": "06:30", "dir": "/var/lib/reports"}})");
    EXPECT_EQ(config.reports->at, (TimeOfDay{6, 30}));
    EXPECT_EQ(config.reports->dir, "/var/lib/reports");
    EXPECT_THAT(problems_of(R"({"reports": {"at": "6 am", "dir": "/r"}})"),
                ElementsAre(HasSubstr("reports.at: ")));
    EXPECT_THAT(problems_of(R"({"reports": {}})"),
                ElementsAre(HasSubstr("reports.at: required"), HasSubstr("reports.dir: required")));
    EXPECT_THAT(problems_of(R"({"reports": {"at": "06:00", "dir": "/r", "every": "1d"}})"),
                ElementsAre(HasSubstr("reports.every")));
}

TEST(NotifyConfig, DBusTakesSystemSessionOrAnAddress) {
    EXPECT_EQ(parse_ok(R"({"dbus": {}})").dbus->bus, "system");
    EXPECT_EQ(parse_ok(R"({"dbus": {"bus": "session"}})").dbus->bus, "session");
    EXPECT_EQ(parse_ok(R"({"dbus": {"bus": "unix:path=/tmp/bus"}})").dbus->bus,
              "unix:path=/tmp/bus");
    EXPECT_EQ(parse_ok("{}").dbus, std::nullopt);
    EXPECT_THAT(problems_of(R"({"dbus": {"bus": "user"}})"),
                ElementsAre(HasSubstr("dbus.bus: expected \"system\", \"session\" or a D-Bus "
                                      "address")));
}

TEST(NotifyConfig, WarnFreeBelowIsASize) {
    EXPECT_THAT(parse_ok(R"({"warn_free_below": "10GiB"})").warn_free_below, Optional(10ULL << 30));
    EXPECT_THAT(problems_of(R"({"warn_free_below": 1000})"),
                ElementsAre("warn_free_below: expected a size string such as \"10GiB\", got 1000"));
    EXPECT_THAT(problems_of(R"({"warn_free_below": "10 GB"})"),
                ElementsAre(HasSubstr("warn_free_below: expected a size such as \"500MB\" or "
                                      "\"10GiB\", got \"10 GB\" (unknown unit \" GB\"")));
}

TEST(Size, UnitsArePowersOfTenOrOfTwo) {
    EXPECT_EQ(parse_size("0B").value(), 0u);
    EXPECT_EQ(parse_size("4096B").value(), 4096u);
    EXPECT_EQ(parse_size("500MB").value(), 500'000'000u);
    EXPECT_EQ(parse_size("2kB").value(), 2000u);
    EXPECT_EQ(parse_size("1.5GiB").value(), 1536ULL << 20);
    EXPECT_EQ(parse_size("3TiB").value(), 3ULL << 40);
    EXPECT_THAT(parse_size("12").error(), HasSubstr("a unit is required"));
    EXPECT_THAT(parse_size("GB").error(), HasSubstr("it must start with a number"));
    EXPECT_THAT(parse_size(".5GB").error(), HasSubstr("it must start with a number"));
    EXPECT_THAT(parse_size("-1GB").error(), HasSubstr("it must start with a number"));
    EXPECT_THAT(parse_size("10gb").error(), HasSubstr("unknown unit \"gb\""));
    EXPECT_THAT(parse_size("99999999999TiB").error(), HasSubstr("too large"));
}

TEST(HookArgument, PiecesComeInOrderWithEscapesUndone) {
    std::vector<std::string> pieces;
    const auto problem = for_each_piece(
        "{{v}}={version} of {model}!",
        [&](std::string_view text) { pieces.push_back("L:" + std::string(text)); },
        [&](std::string_view name) { pieces.push_back("P:" + std::string(name)); });
    EXPECT_EQ(problem, std::nullopt);
    EXPECT_THAT(pieces, ElementsAre("L:{v}=", "P:version", "L: of ", "P:model", "L:!"));
    // Nothing is emitted for an argument with a problem.
    pieces.clear();
    EXPECT_NE(for_each_piece(
                  "{model} {nope}", [&](std::string_view) { pieces.emplace_back(); },
                  [&](std::string_view) { pieces.emplace_back(); }),
              std::nullopt);
    EXPECT_THAT(pieces, IsEmpty());
}

} // namespace
} // namespace mv::config
