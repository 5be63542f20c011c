// Which hook an event runs, with which arguments and environment (docs/NOTIFICATIONS.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "notify/event.hpp"
#include "notify/hook_command.hpp"

namespace mv::notify {
namespace {

using config::NotifyEvent;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

Event created() {
    Event event;
    event.kind = NotifyEvent::backup_created;
    event.time = SystemTime(std::chrono::seconds(1795000000));
    event.host = "gpu1";
    event.watch = "lab";
    event.model = "lab/dqn.pkl";
    event.version = "1.4.0";
    event.trigger = "improvement";
    event.reason = "metric /eval/win_rate improved";
    event.path = "/srv/models/dqn.pkl";
    event.size_bytes = 812;
    event.stored_bytes = 771;
    event.duration = std::chrono::milliseconds(2134);
    return event;
}

TEST(HookCommand, EachEventFollowsItsHook) {
    EXPECT_EQ(hook_name(NotifyEvent::backup_created), "on_backup");
    EXPECT_EQ(hook_name(NotifyEvent::pruned), "on_prune");
    EXPECT_EQ(hook_name(NotifyEvent::restored), "on_restore");
    EXPECT_EQ(hook_name(NotifyEvent::backup_failed), "on_failure");
    EXPECT_EQ(hook_name(NotifyEvent::replica_failed), "on_failure");
    EXPECT_EQ(hook_name(NotifyEvent::disk_low), "on_failure");
}

TEST(HookCommand, AWatchsOwnSettingWinsEvenWhenEmpty) {
    config::Hooks global;
    global.on_backup = {"/bin/global"};
    global.on_failure = {"/bin/fail"};
    config::WatchHooks watch;
    watch.on_backup = std::vector<std::string>{"/bin/own"};
    watch.on_failure = std::vector<std::string>{};
    EXPECT_THAT(hook_template(global, &watch, NotifyEvent::backup_created),
                ElementsAre("/bin/own"));
    EXPECT_THAT(hook_template(global, &watch, NotifyEvent::backup_failed), IsEmpty());
    EXPECT_THAT(hook_template(global, nullptr, NotifyEvent::backup_failed),
                ElementsAre("/bin/fail"));
    EXPECT_THAT(hook_template(global, &watch, NotifyEvent::pruned), IsEmpty());
}

TEST(HookCommand, PlaceholdersBecomeTheEventsValues) {
    const auto values = placeholder_values(created());
    const auto argv =
        expand_arguments({"/usr/local/bin/notify", "{model}@{version}", "--trigger={trigger}",
                          "{{raw}}", "{duration_seconds}s {size_bytes}B", "{error}"},
                         values);
    EXPECT_THAT(argv, ElementsAre("/usr/local/bin/notify", "lab/dqn.pkl@1.4.0",
                                  "--trigger=improvement", "{raw}", "2.134s 812B", ""));
}

TEST(HookCommand, EveryPlaceholderOfTheConfigHasAValue) {
    // config/ checks hook arguments against this list; notify/ must fill in each name.
    for (const auto kind : config::k_notify_events) {
        Event event = created();
        event.kind = kind;
        const auto values = placeholder_values(event);
        EXPECT_EQ(values.size(), std::size(config::k_hook_placeholders));
        for (const char* name : config::k_hook_placeholders) {
            EXPECT_TRUE(values.contains(name)) << name;
        }
    }
}

TEST(HookCommand, FieldsOfAnotherKindAreEmpty) {
    Event event = created();
    event.kind = NotifyEvent::backup_failed;
    const auto values = placeholder_values(event);
    EXPECT_EQ(values.at("size_bytes"), "");
    EXPECT_EQ(values.at("duration_seconds"), "");
    EXPECT_EQ(values.at("event"), "backup_failed");
}

TEST(HookCommand, TheEnvironmentIsCleanAndNamesEveryValue) {
    const auto environment =
        hook_environment(placeholder_values(created()), {"nobody", "/nonexistent"}, "on_backup");
    EXPECT_THAT(environment, Contains("MODELVAULT_MODEL=lab/dqn.pkl"));
    EXPECT_THAT(environment, Contains("MODELVAULT_VERSION=1.4.0"));
    EXPECT_THAT(environment, Contains("MODELVAULT_TIME=2026-11-18T11:06:40Z"));
    EXPECT_THAT(environment, Contains("MODELVAULT_HOOK=on_backup"));
    EXPECT_THAT(environment, Contains("MODELVAULT_ERROR="));
    EXPECT_THAT(environment, Contains("USER=nobody"));
    EXPECT_THAT(environment, Contains("HOME=/nonexistent"));
    EXPECT_THAT(environment,
                Contains("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    // Nothing of the daemon's own environment.
    for (const auto& variable : environment) {
        EXPECT_THAT(variable, Not(::testing::StartsWith("NOTIFY_SOCKET=")));
    }
    EXPECT_EQ(environment.size(), 6 + std::size(config::k_hook_placeholders));
}

TEST(HookCommand, ANulByteCannotSmuggleAnotherVariable) {
    Event event = created();
    event.error = std::string("disk\0PATH=/tmp/evil", 19);
    event.kind = NotifyEvent::backup_failed;
    const auto environment = hook_environment(placeholder_values(event), {"u", "/"}, "on_failure");
    EXPECT_THAT(environment, Contains("MODELVAULT_ERROR=disk"));
    const auto argv = expand_arguments({"/bin/x", "{error}"}, placeholder_values(event));
    EXPECT_EQ(argv[1], "disk");
}

} // namespace
} // namespace mv::notify
