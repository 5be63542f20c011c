#pragma once
// Runs one hook command as its own process group, with a deadline (docs/NOTIFICATIONS.md,
// "Hooks"): no shell, stdin from /dev/null, stdout and stderr captured together, a
// clean environment, and — when the daemon is root — another user's identity.

#include <chrono>
#include <cstddef>
#include <stop_token>
#include <string>
#include <sys/types.h>
#include <vector>

#include "notify/hook_command.hpp"

namespace mv::notify {

/// Who hooks run as (resolve_hook_identity()).
struct HookIdentity {
    bool switch_user = false; ///< the daemon is root: take uid, gid and groups before exec
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
    HookAccount account;
};

/// Decides who hooks run as: a daemon that is not root runs them as itself (`user` must
/// then be empty or its own name); a root daemon as `user`, or `nobody` when empty — root
/// only when `user` says "root". Throws Error(invalid_argument) naming hooks.user and the
/// fix when that cannot be done.
HookIdentity resolve_hook_identity(const std::string& user, uid_t daemon_uid);

struct HookRun {
    std::vector<std::string> argv;        ///< argv[0]: an absolute path
    std::vector<std::string> environment; ///< "NAME=value", the whole environment
    HookIdentity identity;
    std::chrono::milliseconds timeout{30000};
};

enum class HookStatus {
    ok,          ///< exited with status 0
    failed,      ///< exited with another status, or was killed by a signal
    timed_out,   ///< ran past its timeout: its process group was killed
    not_started, ///< could not be executed (missing, not executable, identity refused)
    stopped,     ///< the daemon stopped: its process group was killed
};
const char* to_string(HookStatus status);

struct HookResult {
    HookStatus status = HookStatus::not_started;
    int exit_code = -1;             ///< when it exited
    int signal = 0;                 ///< when a signal ended it
    std::string output;             ///< stdout and stderr, at most k_max_hook_output bytes
    std::size_t output_dropped = 0; ///< bytes beyond that, read and discarded
    std::string error;              ///< not_started: why
    std::chrono::milliseconds elapsed{0};
};

/// Output kept per run; the rest is read (so the hook never blocks on a full pipe) and
/// counted.
inline constexpr std::size_t k_max_hook_output = 64 * 1024;

/// Runs `run` and waits for it, at most run.timeout (then SIGTERM to the group, and
/// SIGKILL two seconds later). When the main process exits, whatever it left running
/// in its process group is killed. `stop` ends it early the same way.
HookResult run_hook(const HookRun& run, const std::stop_token& stop);

} // namespace mv::notify
