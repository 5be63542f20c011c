#pragma once
// Running real programs from tests: one-shot commands with captured output, and
// long-running children (the daemon) that are always killed when the test ends.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mv::test {

struct CommandResult {
    int exit_code = -1; ///< exit status, or 128 + signal number
    std::string out;
    std::string err;
};

struct CommandOptions {
    std::map<std::string, std::string> env; ///< added to (or replacing in) the environment
    std::filesystem::path cwd;
    std::string input; ///< written to stdin
    std::chrono::milliseconds timeout = std::chrono::seconds(60);
};

/// Runs argv[0] (looked up in PATH) and waits for it, killing it after the timeout
/// (exit_code is then 128 + SIGKILL and err mentions the timeout).
CommandResult run(const std::vector<std::string>& argv, const CommandOptions& options = {});

/// Runs `script` with /bin/sh -c.
CommandResult sh(const std::string& script, const CommandOptions& options = {});

/// A background child process in its own process group. The destructor sends SIGKILL to
/// the whole group and reaps it, so nothing outlives a failing test; PR_SET_PDEATHSIG
/// kills it even when the test runner itself dies.
class Child {
public:
    /// stdout and stderr go to `log_file` (appended) when given, else to /dev/null.
    Child(const std::vector<std::string>& argv, const std::filesystem::path& log_file = {},
          const std::map<std::string, std::string>& env = {});
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    int pid() const { return m_pid; }
    /// Sends `signal` to the child.
    void signal(int signal) const;
    /// Waits up to `timeout` for the child to exit; returns its exit code (128+signal for
    /// a signal) or nullopt when it is still running.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();

private:
    int m_pid = -1;
    std::optional<int> m_exit;
};

} // namespace mv::test
