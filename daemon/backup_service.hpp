#pragma once
// Backups as the daemon runs them: a request names a model of a watch (or one checkpoint
// of a series) and why; the service finds its files, queues the work on the backup
// workers, writes the version through the vault, records fingerprints and counters, and
// looks again at what cannot be decided yet (a file still being written, metrics still to
// come) and retries what failed for a reason that may pass (a full disk) with back-off.
// A request that waits keeps its place: later ones for the same model wait behind it, so
// the checkpoints of a series become versions in the order they were written.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "config/model.hpp"
#include "daemon/fingerprints.hpp"
#include "daemon/job_queue.hpp"
#include "daemon/pruner.hpp"
#include "notify/event_sink.hpp"
#include "util/error.hpp"
#include "util/time.hpp"
#include "vault/vault.hpp"
#include "watcher/quiet.hpp"
#include "watcher/series.hpp"

namespace mv::daemon {

struct BackupPlan;

struct BackupRequest {
    std::string watch;
    std::string model; ///< raw path relative to the watch root; "" for layout directory
    vault::Trigger trigger = vault::Trigger::change;
    std::optional<vault::Bump> bump;
    std::vector<std::string> tags;
    std::string note;
    std::string reason;
    /// The files as the previous look saw them (watcher/quiet.hpp compares).
    std::optional<watcher::Observation> seen = std::nullopt;
    /// When this request first found its files still being written.
    std::optional<watcher::SteadyTime> waiting_since = std::nullopt;
    /// Checkpoint series: the checkpoint (file or folder, relative to the watch root) the
    /// version is made from; `model` is then its series' model (watcher/series.hpp).
    std::string checkpoint = {};
    /// When the wait for fresh metrics ends (set when it starts).
    std::optional<watcher::SteadyTime> metrics_deadline = std::nullopt;
    /// The files as they were when the wait for fresh metrics started.
    std::optional<std::vector<watcher::FileState>> metrics_for = std::nullopt;
};

/// A backup request for `relative` of `watch` as the watcher or a scan reports it: a
/// model file, or (for a series watch) a checkpoint or a file of one.
BackupRequest request_for(const config::Watch& watch, const std::string& relative,
                          vault::Trigger trigger, std::string reason);

enum class BackupStatus { committed, unchanged, skipped, failed };
const char* to_string(BackupStatus status);

struct BackupOutcome {
    BackupStatus status = BackupStatus::failed;
    std::string model;                       ///< model id text
    std::optional<vault::Manifest> manifest; ///< the new version, or the identical one
    std::string message;                     ///< why skipped or failed
    ErrorCode code = ErrorCode::internal;
    /// The request looks again later (its files were still being written); `done` is
    /// called once that look decides.
    bool deferred = false;
};

using BackupDone = std::function<void(const BackupOutcome&)>;

class BackupService {
public:
    BackupService(boost::asio::io_context& io, vault::Vault& vault, JobQueue& jobs,
                  FingerprintStore& fingerprints, const Clock& clock);

    /// Where versions made, failures and retention are reported (docs/NOTIFICATIONS.md).
    void set_event_sink(notify::EventSink* sink) { m_events = sink; }

    /// The watches backups are made for (on start and reload).
    void set_watches(std::vector<config::Watch> watches);
    std::optional<config::Watch> find_watch(const std::string& name) const;

    /// Queues a backup. `done` runs on a worker thread once it finished; `progress` gets
    /// the bytes read so far. Automatic requests (change, schedule) for a model that is
    /// already waiting are merged into the waiting one.
    void submit(BackupRequest request, BackupDone done = {}, vault::ProgressFn progress = {});

    /// Queues a backup of every model of `watch` whose files differ from what was last
    /// backed up (start-up scan, inotify overflow, a watch that appeared). Returns how many.
    std::size_t scan(const config::Watch& watch, const std::string& reason,
                     vault::Trigger trigger = vault::Trigger::change);

    /// The part of scan() for the checkpoints of the watch's series, in step order.
    std::size_t scan_checkpoints(const config::Watch& watch, const std::string& reason,
                                 vault::Trigger trigger);

    /// The retention policy of `model`'s watch (nullopt: keep everything, also for models
    /// whose watch is no longer configured).
    std::optional<config::RetentionPolicy> policy_for(const std::string& model) const;

    /// Applies (or with DryRun::yes only decides) retention for `model`. Call it from a job
    /// keyed by the model, so that it never races a backup of the same model.
    PruneReport prune(const std::string& model, DryRun dry_run);

    struct Counters {
        std::uint64_t committed = 0;
        std::uint64_t unchanged = 0;
        std::uint64_t failed = 0;
        std::uint64_t bytes_read = 0;
        std::uint64_t bytes_stored = 0;
        std::uint64_t pruned = 0;             ///< versions removed by retention
        std::uint64_t bytes_deduplicated = 0; ///< read, identical to a stored version
        std::uint64_t reclaimed_bytes = 0;    ///< pack bytes collected after retention
    };
    struct LastBackup {
        std::string model;
        std::string version;
        SystemTime time{};
    };
    struct LastError {
        std::string message;
        SystemTime time{};
    };
    Counters counters() const;
    /// The watch's last committed version: since the start, else the newest in the vault.
    std::optional<LastBackup> last_backup(const std::string& watch) const;
    /// `callback` runs on the I/O thread after each committed version (STATUS= refresh).
    void on_commit(std::function<void()> callback);
    /// `callback` runs on the I/O thread after versions were removed (prune, delete), so
    /// that the replicas remove them too (docs/REPLICAS.md).
    void on_removal(std::function<void()> callback);
    /// Versions were removed other than by prune() (delete): runs the on_removal callback.
    void versions_removed();
    std::optional<LastError> last_error() const;
    /// Models whose backup waits for their files to be left alone (not in the job queue
    /// meanwhile), sorted.
    std::vector<std::string> waiting() const;
    /// Makes `message` the last error shown by status, without counting a failed backup
    /// (a rejected reload).
    void note_error(std::string message);
    /// Models of `watch` known to the vault.
    std::size_t model_count(const std::string& watch) const;

    /// True when the files of `model` in its watched folder are what was last backed up
    /// (or identical to a stored version): replacing them loses nothing.
    bool is_backed_up(const config::Watch& watch, const std::string& relative) const;

    /// Looks whether metrics arrived for versions written without them (the daemon calls
    /// it about once a second, on its I/O thread); attaching them is a job of the model.
    void poll_late_metrics();

private:
    /// A version written with its metrics missing, and where they may still come from.
    struct LateMetrics {
        std::string watch;
        vault::Version version;
        std::string model_file; ///< what the metrics_file templates expand from
        std::vector<std::string> files;
        std::vector<std::optional<watcher::FileState>> seen; ///< their state when last looked at
    };
    std::vector<watcher::FileState> model_states(const config::Watch& watch,
                                                 const BackupRequest& request,
                                                 std::optional<watcher::CheckpointRef>& checkpoint);
    /// Looks at `request` again after `delay`, with its `done`. With Hold::yes it keeps its
    /// place: later requests for the model wait behind it. Status lists it as queued.
    enum class Hold { no, yes };
    BackupOutcome defer(BackupRequest request, std::chrono::milliseconds delay, std::string message,
                        Hold hold, const BackupDone& done, const vault::ProgressFn& progress);
    /// True when another request of the model holds its place (watcher/series.hpp order).
    bool behind_another(const std::string& id, const std::string& checkpoint) const;
    void release(const std::string& id, const std::string& checkpoint);
    /// Lightning's last.ckpt that copies a checkpoint saved with it: nothing to store.
    std::optional<std::string> alias_copy(const config::Watch& watch,
                                          const watcher::CheckpointRef& checkpoint,
                                          const std::string& id);
    void remember_late_metrics(const std::string& id, const config::Watch& watch,
                               const BackupRequest& request, const vault::Manifest& manifest,
                               std::vector<std::string> files,
                               std::vector<std::optional<watcher::FileState>> seen);
    void attach_late_metrics(const std::string& id);
    void recall_late_metrics();
    BackupOutcome run(const BackupRequest& request, const std::stop_token& stop,
                      const BackupDone& done, const vault::ProgressFn& progress);
    BackupOutcome write(const config::Watch& watch, const BackupRequest& request,
                        const watcher::CheckpointRef* checkpoint,
                        const std::vector<watcher::FileState>& states, const std::stop_token& stop,
                        const BackupDone& done, const vault::ProgressFn& progress);
    /// Files not quiet yet: looks again when they may be (manual requests give up after a
    /// while, with an error that says so).
    BackupOutcome wait_for_quiet(const config::Watch& watch, const BackupRequest& request,
                                 std::vector<watcher::FileState> states,
                                 const watcher::QuietVerdict& verdict, const BackupDone& done,
                                 const vault::ProgressFn& progress);
    /// No version now: looks again (unfinished, metrics to come) or says why not.
    BackupOutcome not_now(const config::Watch& watch, const BackupRequest& request,
                          const BackupPlan& plan, const BackupDone& done,
                          const vault::ProgressFn& progress);
    /// Counters and retry state after a write.
    void record_result(const BackupRequest& request, const std::string& id,
                       const vault::WriteResult& result);
    /// `current` follows a new version; retention runs.
    void after_commit(const std::string& id, const vault::Manifest& manifest);
    /// Logs and counts a failed backup and retries automatic ones with back-off.
    BackupOutcome failed(const BackupRequest& request, BackupOutcome outcome,
                         const std::stop_token& stop);
    /// Whether a retry is a request waiting for its files (shown as queued by status).
    enum class Waiting { no, yes };
    void schedule_retry(BackupRequest request, std::chrono::milliseconds delay,
                        BackupDone done = {}, vault::ProgressFn progress = {},
                        Waiting waiting = Waiting::no);
    /// Counts a failed backup and reports it (backup_failed) for `watch`'s model at `path`.
    void record_failure(const std::string& model, const std::string& message, ErrorCode code,
                        const std::string& watch, const std::filesystem::path& path,
                        const std::string& trigger);
    void report(notify::Event event) const;

    boost::asio::io_context& m_io;
    vault::Vault& m_vault;
    JobQueue& m_jobs;
    FingerprintStore& m_fingerprints;
    const Clock& m_clock;
    mutable std::mutex m_mutex; ///< guards everything below
    std::map<std::string, config::Watch> m_watches;
    std::map<std::string, int> m_failed_attempts; ///< per model, for back-off
    std::map<std::string, int> m_failed_checks;   ///< per model: structural checks failed in a row
    std::multiset<std::string> m_waiting;         ///< models of deferred requests
    std::map<std::string, std::string> m_holders; ///< model → checkpoint whose request waits first
    std::set<std::string> m_pending;              ///< series checkpoints queued (model \n member)
    std::map<std::string, std::int64_t> m_alias_seen; ///< model → mtime of its last.ckpt last seen
    std::map<std::string, LateMetrics> m_late;        ///< model → a version awaiting its metrics
    Counters m_counters;
    std::map<std::string, LastBackup> m_last_backup; ///< per watch
    std::function<void()> m_on_commit;
    std::function<void()> m_on_removal;
    notify::EventSink* m_events = nullptr;
    std::optional<LastError> m_last_error;
};

/// The model id text of a request ("watch/relative" or "watch").
std::string model_text(const std::string& watch, const std::string& relative);

/// Whether a backup was started by the daemon itself (a settled change, a schedule): such a
/// request is coalesced, and retried when it fails.
bool is_automatic(vault::Trigger trigger);

/// A backup that found nothing to read (the model is gone), logged as such.
BackupOutcome skipped_outcome(const std::string& id, std::string message);

} // namespace mv::daemon
