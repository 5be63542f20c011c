#include "notify/hook_runner.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/fd.hpp"

namespace mv::notify {

namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

constexpr auto k_term_grace = 2s;       // SIGTERM, then SIGKILL this much later
constexpr auto k_poll_slice = 100ms;    // how often `stop` is looked at
constexpr auto k_drain_after_exit = 1s; // output still in flight after the group is gone

// Everything the child needs, built before fork(): after it, only async-signal-safe calls.
struct Prepared {
    std::vector<char*> argv;
    std::vector<char*> environment;
};

Prepared prepare(const HookRun& run) {
    Prepared prepared;
    for (const auto& argument : run.argv) {
        prepared.argv.push_back(const_cast<char*>(argument.c_str()));
    }
    prepared.argv.push_back(nullptr);
    for (const auto& variable : run.environment) {
        prepared.environment.push_back(const_cast<char*>(variable.c_str()));
    }
    prepared.environment.push_back(nullptr);
    return prepared;
}

// glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage: call the kernel.
int open_pidfd(pid_t pid) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

[[noreturn]] void child_fails(int report_fd) {
    const int error = errno;
    [[maybe_unused]] const auto written = ::write(report_fd, &error, sizeof error);
    ::_exit(127);
}

// In the child: its own process group, default signals, /dev/null as stdin, the pipe as
// stdout and stderr, no other descriptor of the daemon, the hook's identity.
[[noreturn]] void exec_child(const HookRun& run, const Prepared& prepared, int null_fd,
                             int output_fd, int report_fd) {
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction standard {};
    standard.sa_handler = SIG_DFL;
    for (int signal = 1; signal < NSIG; ++signal) {
        ::sigaction(signal, &standard, nullptr);
    }
    if (::dup2(null_fd, 0) < 0 || ::dup2(output_fd, 1) < 0 || ::dup2(output_fd, 2) < 0) {
        child_fails(report_fd);
    }
    // Close the daemon's descriptors (sockets, the vault lock ...) but the report pipe,
    // which closes itself when execve() succeeds (O_CLOEXEC).
    ::close_range(3, static_cast<unsigned>(report_fd) - 1, 0);
    ::close_range(static_cast<unsigned>(report_fd) + 1, ~0U, 0);
    const HookIdentity& who = run.identity;
    if (who.switch_user && (::setgroups(who.groups.size(), who.groups.data()) != 0 ||
                            ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0)) {
        child_fails(report_fd);
    }
    if (::chdir("/") != 0) {
        child_fails(report_fd);
    }
    ::execve(prepared.argv[0], prepared.argv.data(), prepared.environment.data());
    child_fails(report_fd);
}

struct Pipe {
    UniqueFd read;
    UniqueFd write;
};

Pipe make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw Error(errno_message("cannot create a pipe for a hook", errno), ErrorCode::io);
    }
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Reads what is available into the result (keeping at most k_max_hook_output bytes).
// Returns false at end of file.
bool read_output(int fd, HookResult& result) {
    char buffer[8192];
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
        return false;
    }
    if (got > 0) {
        const std::size_t room =
            k_max_hook_output - std::min(result.output.size(), k_max_hook_output);
        const std::size_t kept = std::min(room, static_cast<std::size_t>(got));
        result.output.append(buffer, kept);
        result.output_dropped += static_cast<std::size_t>(got) - kept;
    }
    return true;
}

void record_exit(int status, HookResult& result) {
    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
        result.status = result.exit_code == 0 ? HookStatus::ok : HookStatus::failed;
    } else if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
        result.status = HookStatus::failed;
    }
}

// Waits up to `grace` for the process behind `pidfd` to end; true when it did.
bool wait_exit(int pidfd, std::chrono::milliseconds grace) {
    struct pollfd entry {
        pidfd, POLLIN, 0
    };
    return ::poll(&entry, 1, static_cast<int>(grace.count())) > 0;
}

// The main process has ended (a zombie still holds its pid, so the group id cannot be
// reused yet): kill what it left behind, then reap it.
void finish(pid_t pid, HookResult& result) {
    ::kill(-pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (result.status != HookStatus::timed_out && result.status != HookStatus::stopped) {
        record_exit(status, result);
    }
}

void end_group(pid_t pid, int pidfd, HookStatus why, HookResult& result) {
    result.status = why;
    ::kill(-pid, SIGTERM);
    if (!wait_exit(pidfd, k_term_grace)) {
        ::kill(-pid, SIGKILL);
        wait_exit(pidfd, 10s);
    }
    finish(pid, result);
}

// Reads output until the process exits, the deadline passes or `stop` is requested.
void supervise(pid_t pid, int pidfd, int output_fd, const HookRun& run, const std::stop_token& stop,
               HookResult& result) {
    const auto deadline = Steady::now() + run.timeout;
    bool output_open = true;
    while (true) {
        if (stop.stop_requested()) {
            return end_group(pid, pidfd, HookStatus::stopped, result);
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
        if (left <= 0ms) {
            return end_group(pid, pidfd, HookStatus::timed_out, result);
        }
        struct pollfd entries[2] = {{pidfd, POLLIN, 0}, {output_open ? output_fd : -1, POLLIN, 0}};
        const int ready = ::poll(
            entries, 2,
            static_cast<int>(std::min<std::chrono::milliseconds>(left, k_poll_slice).count()));
        if (ready < 0 && errno != EINTR) {
            return end_group(pid, pidfd, HookStatus::failed, result);
        }
        if (output_open && (entries[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            output_open = read_output(output_fd, result);
        }
        if ((entries[0].revents & POLLIN) != 0) {
            return finish(pid, result);
        }
    }
}

// After the group is gone, the pipe holds at most what was written before: read it.
void drain(int output_fd, HookResult& result) {
    const auto until = Steady::now() + k_drain_after_exit;
    struct pollfd entry {
        output_fd, POLLIN, 0
    };
    while (Steady::now() < until && ::poll(&entry, 1, 100) > 0 && read_output(output_fd, result)) {
    }
}

} // namespace

const char* to_string(HookStatus status) {
    switch (status) {
    case HookStatus::ok:
        return "ok";
    case HookStatus::failed:
        return "failed";
    case HookStatus::timed_out:
        return "timed_out";
    case HookStatus::not_started:
        return "not_started";
    case HookStatus::stopped:
        return "stopped";
    }
    return "failed";
}

HookResult run_hook(const HookRun& run, const std::stop_token& stop) {
    HookResult result;
    const auto started = Steady::now();
    if (run.argv.empty()) {
        result.error = "no command";
        return result;
    }
    const Prepared prepared = prepare(run);
    UniqueFd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    Pipe output = make_pipe();
    Pipe report = make_pipe();
    const pid_t pid = ::fork();
    if (pid < 0) {
        result.error = errno_message("fork", errno);
        return result;
    }
    if (pid == 0) {
        exec_child(run, prepared, null_fd.get(), output.write.get(), report.write.get());
    }
    ::setpgid(pid, pid); // also here, so that a kill of the group cannot miss it
    output.write.reset();
    report.write.reset();
    int exec_error = 0;
    ssize_t got = 0;
    while ((got = ::read(report.read.get(), &exec_error, sizeof exec_error)) < 0 &&
           errno == EINTR) {
    }
    UniqueFd pidfd(open_pidfd(pid));
    if (got == sizeof exec_error || !pidfd) {
        result.error = got == sizeof exec_error ? errno_message(run.argv[0], exec_error)
                                                : errno_message("pidfd_open", errno);
        ::kill(-pid, SIGKILL);
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        result.elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - started);
        return result;
    }
    ::fcntl(output.read.get(), F_SETFL, O_NONBLOCK);
    supervise(pid, pidfd.get(), output.read.get(), run, stop, result);
    drain(output.read.get(), result);
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - started);
    return result;
}

} // namespace mv::notify
