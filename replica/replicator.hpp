#pragma once
// Keeps one replica up to date in the background (docs/REPLICAS.md): a thread of its own
// runs replication passes when woken (after a backup) and every `period`, retries failed
// passes with back-off, and keeps what status shows. Backups never wait for it: wake()
// only sets a flag. Its state (last success, last error) is kept in a small JSON file so
// that a restart still shows it.

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "replica/retention.hpp"
#include "replica/sync_plan.hpp"
#include "s3/transfer_pool.hpp"
#include "store/sealing.hpp"
#include "util/time.hpp"

namespace mv::replica {

struct ReplicatorOptions {
    std::string name;
    s3::Location location;                  ///< checked by s3::validate() beforehand
    std::filesystem::path credentials_file; ///< read at the first pass, again after a failure
    std::uint64_t bandwidth = 0;            ///< bytes per second, all connections; 0: no limit
    unsigned parallel = 4;
    std::filesystem::path vault;
    /// Opens an encrypted vault's manifests and index files for retention (empty: plain).
    store::Sealing sealing;
    std::filesystem::path state_file; ///< where last success and last error are kept
    std::chrono::milliseconds period = std::chrono::minutes(5);
    std::chrono::milliseconds first_retry = std::chrono::seconds(5);
    std::chrono::milliseconds max_retry = std::chrono::minutes(5);
    /// How long a version the vault removed stays on the replica (retention.hpp).
    std::chrono::milliseconds keep_removed = std::chrono::hours(24 * 7);
    /// Called (on the replicator's thread) when a pass fails with an error other than
    /// the last one: the daemon sends the replica_failed event. May be empty.
    std::function<void(const std::string& kind, const std::string& error)> on_failure;
};

/// What `status` shows for a replica.
struct ReplicaStatus {
    std::string name;
    std::string where;                ///< "s3://bucket/prefix at endpoint"
    std::size_t pending_versions = 0; ///< as of the last pass (or its start, while it runs)
    std::uint64_t pending_bytes = 0;
    std::optional<SystemTime> oldest_pending;
    std::optional<SystemTime> last_success;
    std::optional<SystemTime> last_attempt;
    std::string last_error;           ///< empty after a successful pass
    std::string last_error_kind;      ///< "wrong_credentials", "missing_bucket", "unreachable", …
    std::uint64_t uploaded_bytes = 0; ///< since the daemon started
    std::size_t removed_versions = 0; ///< by retention on the replica, since the daemon started
    std::size_t awaiting_removal = 0; ///< versions the vault removed, kept for keep_removed
    bool running = false;             ///< a pass is under way
};

/// Why a replicator is woken: a commit makes one more version pending; a removal
/// (prune, delete) makes none, and the pass that follows starts its keep_removed; a move
/// of `best` or `current` makes none either: the pass uploads the model's grown history.
enum class WakeReason { committed, removed, history };

class Replicator {
public:
    /// Reads the state file (when there is one) and starts the thread, which runs a first
    /// pass at once: what a crash left pending goes up first.
    Replicator(ReplicatorOptions options, const Clock& clock);
    /// Stops the thread; a transfer under way is abandoned (the next start resumes it).
    ~Replicator();
    Replicator(const Replicator&) = delete;
    Replicator& operator=(const Replicator&) = delete;

    /// Asks for a pass soon (after a commit or a removal). Never blocks.
    void wake(WakeReason reason = WakeReason::committed);
    ReplicaStatus status() const;
    const std::string& name() const { return m_options.name; }

private:
    void run();
    void pass(s3::TransferPool& pool);
    void retain(s3::TransferPool& pool);
    void note_failure(const std::exception& error);
    std::unique_ptr<s3::TransferPool> connect();
    void load_state();
    void save_state() const;

    ReplicatorOptions m_options;
    const Clock& m_clock;
    std::atomic<bool> m_stop{false};
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_woken = true;
    ReplicaStatus m_status;
    std::chrono::milliseconds m_retry{0};
    /// What the replica held after the last pass (empty before the first): what is
    /// pending is computed from it when the replica cannot be listed (an outage).
    RemoteListing m_known;      ///< used by the thread only
    RetentionState m_retention; ///< used by the thread only (and the constructor)
    std::thread m_thread;
};

} // namespace mv::replica
