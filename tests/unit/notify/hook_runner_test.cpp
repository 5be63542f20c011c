// Running a hook for real (docs/NOTIFICATIONS.md, "Hooks"): argv without a shell, the
// environment given and nothing else, output captured, exit statuses, a timeout that
// kills the whole process group, and what cannot be started.
#include <csignal>
#include <fstream>
#include <thread>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "notify/hook_runner.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/lib/wait.hpp"
#include "util/error.hpp"

namespace mv::notify {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

HookRun shell(const std::string& script, std::chrono::milliseconds timeout = 10s) {
    HookRun run;
    run.argv = {"/bin/sh", "-c", script, "hook"};
    run.environment = {"PATH=/usr/bin:/bin", "MODELVAULT_MODEL=lab/dqn.pkl"};
    run.identity.uid = ::getuid();
    run.timeout = timeout;
    return run;
}

bool alive(pid_t pid) {
    return ::kill(pid, 0) == 0;
}

TEST(HookRunner, ArgumentsArriveUntouchedAndOnlyTheGivenEnvironment) {
    HookRun run = shell(R"(printf '%s|' "$@"; echo; env | sort)");
    run.argv.insert(run.argv.end(), {"a b", "$HOME", "*", ""});
    const HookResult result = run_hook(run, {});
    EXPECT_EQ(result.status, HookStatus::ok) << result.error;
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_THAT(result.output, HasSubstr("a b|$HOME|*||\n"));
    EXPECT_THAT(result.output, HasSubstr("MODELVAULT_MODEL=lab/dqn.pkl\n"));
    EXPECT_THAT(result.output, ::testing::Not(HasSubstr("HOME=")));
}

TEST(HookRunner, StderrIsCapturedWithStdoutAndStdinIsEmpty) {
    const HookResult result = run_hook(shell("echo out; echo err >&2; cat; echo done"), {});
    EXPECT_EQ(result.output, "out\nerr\ndone\n");
}

TEST(HookRunner, ExitStatusAndSignalsAreFailures) {
    HookResult result = run_hook(shell("exit 3"), {});
    EXPECT_EQ(result.status, HookStatus::failed);
    EXPECT_EQ(result.exit_code, 3);
    result = run_hook(shell("kill -TERM $$"), {});
    EXPECT_EQ(result.status, HookStatus::failed);
    EXPECT_EQ(result.signal, SIGTERM);
}

TEST(HookRunner, AProgramThatCannotRunIsNotStarted) {
    HookRun run = shell("");
    run.argv = {"/nonexistent/notify"};
    HookResult result = run_hook(run, {});
    EXPECT_EQ(result.status, HookStatus::not_started);
    EXPECT_THAT(result.error, HasSubstr("/nonexistent/notify: No such file or directory"));
    test::TempDir dir("hook");
    test::write_file(dir / "notify", "#!/bin/sh\n");
    run.argv = {(dir / "notify").string()}; // not executable
    result = run_hook(run, {});
    EXPECT_EQ(result.status, HookStatus::not_started);
    EXPECT_THAT(result.error, HasSubstr("Permission denied"));
}

TEST(HookRunner, AHangingHookAndEverythingItStartedAreKilledAtTheTimeout) {
    test::TempDir dir("hook");
    const auto pid_file = dir / "child.pid";
    // The hook starts a child that ignores SIGTERM and waits: the whole group must die.
    const auto started = std::chrono::steady_clock::now();
    const HookResult result = run_hook(
        shell("trap '' TERM; sleep 600 & echo $! > " + pid_file.string() + "; wait", 500ms), {});
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(result.status, HookStatus::timed_out);
    EXPECT_GE(took, 500ms);
    EXPECT_LT(took, 8s) << "SIGKILL follows SIGTERM after two seconds";
    const pid_t child = std::stoi(test::read_file(pid_file));
    EXPECT_TRUE(test::wait_until([&] { return !alive(child); }, 5s))
        << "the hook's child " << child << " survived";
}

TEST(HookRunner, WhatAHookLeavesRunningIsKilledWhenItExits) {
    test::TempDir dir("hook");
    const auto pid_file = dir / "child.pid";
    const HookResult result =
        run_hook(shell("sleep 600 >/dev/null 2>&1 & echo $! > " + pid_file.string()), {});
    EXPECT_EQ(result.status, HookStatus::ok);
    const pid_t child = std::stoi(test::read_file(pid_file));
    EXPECT_TRUE(test::wait_until([&] { return !alive(child); }, 5s));
}

TEST(HookRunner, StopEndsARunningHook) {
    std::stop_source stop;
    std::jthread stopper([&] {
        std::this_thread::sleep_for(300ms);
        stop.request_stop();
    });
    const HookResult result = run_hook(shell("sleep 600", 60s), stop.get_token());
    EXPECT_EQ(result.status, HookStatus::stopped);
    EXPECT_LT(result.elapsed, 10s);
}

TEST(HookRunner, OutputBeyondTheCapIsCountedNotKept) {
    const HookResult result = run_hook(shell("head -c 100000 /dev/zero | tr '\\0' x"), {});
    EXPECT_EQ(result.status, HookStatus::ok);
    EXPECT_EQ(result.output.size(), k_max_hook_output);
    EXPECT_EQ(result.output_dropped, 100000 - k_max_hook_output);
}

TEST(HookIdentity, ADaemonThatIsNotRootRunsHooksAsItself) {
    if (::getuid() == 0) {
        // As root: nobody by default, root only when asked for.
        const HookIdentity nobody = resolve_hook_identity("", 0);
        EXPECT_TRUE(nobody.switch_user);
        EXPECT_EQ(nobody.account.name, "nobody");
        EXPECT_NE(nobody.uid, 0u);
        const HookIdentity root = resolve_hook_identity("root", 0);
        EXPECT_FALSE(root.switch_user);
        EXPECT_EQ(root.uid, 0u);
        EXPECT_THROW(resolve_hook_identity("no-such-user-mv", 0), Error);
    }
    // Any daemon uid other than 0 cannot switch: another user is a configuration error.
    const HookIdentity self = resolve_hook_identity("", 4242);
    EXPECT_FALSE(self.switch_user);
    EXPECT_EQ(self.uid, 4242u);
    try {
        resolve_hook_identity("root", 4242);
        ADD_FAILURE() << "a daemon that is not root cannot run hooks as root";
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("hooks.user is \"root\", but modelvaultd runs as"));
        EXPECT_THAT(e.what(), HasSubstr("remove hooks.user"));
    }
}

} // namespace
} // namespace mv::notify
