#pragma once
// Command handlers without a daemon (daemon/services.hpp): FakeServices is made of the
// real vault (in a temp folder), backup service, job queues and notifications, with a
// fake clock, a status snapshot the test sets and a reload hook that counts its calls.
// The job queues' threads belong to it; io() is run by the test (wait_for()).
//
// Two times meet here. The fake clock starts at 2026-11-22T08:00:00Z, so answers that
// print the clock (status' next_run, stats' generated, history's time) are exact. The
// files under models() are real, with real ctimes: the backup service only stores a file
// left alone for longer than the watch's settle (1 s) measured on this clock
// (watcher/quiet.hpp); on the fixed date a file written today would look changed in the
// clock's future and never settle. So the tests that back up a file through the service
// (commands_job_test.cpp, settle_files()) first move the clock to the real time + 1 h.
// Tests that store through save() go straight to the vault and need neither.
//
// Every command run through call() is recorded: when the whole binary ran, an environment
// in fake_services.cpp fails the run if a command of the registry was never called, i.e. a
// command was added without a test in this target.

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "config/load.hpp"
#include "daemon/backup_service.hpp"
#include "daemon/command.hpp"
#include "daemon/fingerprints.hpp"
#include "daemon/job_queue.hpp"
#include "daemon/notifications.hpp"
#include "daemon/services.hpp"
#include "ipc/responder.hpp"
#include "tests/lib/fake_clock.hpp"
#include "tests/lib/temp_dir.hpp"
#include "vault/vault.hpp"

namespace mv::test {

/// Records what a handler answers; the final answer may come from a job queue's thread.
class RecordingResponder final : public ipc::Responder {
public:
    void progress(nlohmann::json progress) override;
    void succeed(nlohmann::json answer, UniqueFd fd = UniqueFd()) override;
    void fail(ErrorCode error, std::string text) override;
    bool connected() const override { return true; }

    bool answered() const;
    /// Waits for the final answer up to `timeout` (real time).
    bool wait_for_answer(std::chrono::milliseconds timeout) const;

    // Read after the answer came.
    bool ok = false;
    nlohmann::json result;
    ErrorCode code = ErrorCode::internal;
    std::string message;
    std::vector<nlohmann::json> progress_lines;

private:
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_answered;
    bool m_done = false;
};

class FakeServices final : public daemon::Services {
public:
    /// A vault in a temp folder and one watch "w" over dir/"models" (flat layout).
    FakeServices();
    /// Stops the job queues first: their jobs use everything else.
    ~FakeServices() override;

    vault::Vault& vault() override { return *m_vault; }
    daemon::BackupService& backups() override { return *m_backups; }
    daemon::JobQueue& backup_jobs() override { return m_backup_jobs; }
    daemon::JobQueue& check_jobs() override { return m_check_jobs; }
    daemon::JobQueue& stream_jobs() override { return m_stream_jobs; }
    const Clock& clock() const override { return m_clock; }
    const config::Config& config() const override { return m_config; }
    daemon::Notifications& notifications() override { return *m_notifications; }
    daemon::StatusSnapshot status_snapshot(SystemTime) const override { return snapshot; }
    void reload() override;

    FakeClock& fake_clock() { return m_clock; }
    const std::filesystem::path& models() const { return m_models; }

    /// Writes `content` to models()/file and stores it as a version of w/<file> straight
    /// into the vault (not through the backup service); returns its version.
    std::string save(const std::string& file, const std::string& content);

    /// Runs command `name` as the control socket does (through the registry and
    /// daemon::run_handler) for uid 0, with `fds` passed alongside; records `name` for the
    /// coverage check.
    std::shared_ptr<RecordingResponder> call(const std::string& name, nlohmann::json args,
                                             std::vector<UniqueFd> fds = {});
    /// call(), then runs io() until the answer came (at most 30 s).
    std::shared_ptr<RecordingResponder> answer(const std::string& name, nlohmann::json args,
                                               std::vector<UniqueFd> fds = {});

    daemon::StatusSnapshot snapshot;
    int reloads = 0;
    std::optional<config::ConfigError> reload_error; ///< thrown by reload() when set

private:
    TempDir m_dir{"commands"};
    std::filesystem::path m_models;
    FakeClock m_clock;
    config::Config m_config;
    boost::asio::io_context m_io;
    std::unique_ptr<vault::Vault> m_vault;
    std::unique_ptr<daemon::FingerprintStore> m_fingerprints;
    daemon::JobQueue m_backup_jobs{"backup", 1};
    daemon::JobQueue m_check_jobs{"verify", 1};
    daemon::JobQueue m_stream_jobs{"stream", 1};
    std::unique_ptr<daemon::BackupService> m_backups;
    std::unique_ptr<daemon::Notifications> m_notifications;
    daemon::CommandRegistry m_registry;
};

} // namespace mv::test
