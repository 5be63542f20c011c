#pragma once
// A real modelvaultd for one test: its own vault, watched folder, socket and config in a
// temp dir; modelvaultctl runs against it. The daemon is stopped (SIGTERM, then SIGKILL)
// when the test ends, and its log is printed when the test failed.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/lib/process.hpp"
#include "tests/lib/temp_dir.hpp"

namespace mv::test {

/// Path of a built binary ("modelvaultd", "modelvaultctl").
std::string binary(const std::string& name);

class DaemonTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    /// The config the daemon starts with; tests may change it before start_daemon().
    nlohmann::json config;

    /// Writes `config` and starts the daemon; waits until it answers (bounded).
    void start_daemon();
    /// Writes `config` and starts the daemon without waiting for it.
    void launch_daemon();
    /// SIGTERM and wait for a clean exit; returns the exit code.
    int stop_daemon();
    /// SIGKILL, no cleanup.
    void kill_daemon();
    bool daemon_running();

    /// Runs modelvaultctl --socket SOCKET args...
    CommandResult ctl(std::vector<std::string> args,
                      std::chrono::seconds timeout = std::chrono::seconds(120));
    /// ctl with --json; fails the test when the output is not JSON.
    nlohmann::json ctl_json(std::vector<std::string> args);
    /// The versions of `model` (newest first) according to `list --json`.
    nlohmann::json versions(const std::string& model = "");
    /// Waits until `model` has `count` versions; false on timeout.
    bool wait_for_versions(const std::string& model, std::size_t count,
                           std::chrono::seconds timeout = std::chrono::seconds(30));
    /// Writes a file into the watched folder (plain open/write/close, like a trainer).
    void write_model(const std::string& relative, const std::string& content);
    std::string daemon_log() const;
    /// Puts a plain file where the vault keeps the versions of `model` (watch "lab", a
    /// plain file name), so that writing its next version fails with an I/O error until
    /// writes_succeed_again(model).
    void make_writes_fail(const std::string& model);
    void writes_succeed_again(const std::string& model);

    TempDir dir{"it"};
    std::filesystem::path models = dir / "models";
    std::filesystem::path vault = dir / "vault";
    std::filesystem::path socket = dir / "mv.sock";
    std::filesystem::path config_file = dir / "modelvault.json";
    std::filesystem::path log_file = dir / "daemon.log";
    /// Extra environment of the daemon (NOTIFY_SOCKET, WATCHDOG_USEC, JOURNAL_STREAM ...).
    std::map<std::string, std::string> daemon_env;
    /// The daemon's program (tests that run it as another user use a copy).
    std::string daemon_program = binary("modelvaultd");
    /// A command that execs the daemon (systemd-socket-activate ..., setpriv ...); the
    /// daemon's argv is appended to it.
    std::vector<std::string> daemon_wrapper;
    std::unique_ptr<Child> daemon;
};

/// A pickle as trainers write it: protocol header, payload, STOP opcode.
std::string pickle(const std::string& payload);

} // namespace mv::test
