#include "daemon/backup_service.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "daemon/backup_plan.hpp"
#include "daemon/disk_space.hpp"
#include "daemon/events.hpp"
#include "daemon/watch_versions.hpp"
#include "util/escape.hpp"
#include "watcher/scan.hpp"

namespace mv::daemon {

namespace {

/// How often a request waiting behind another one of its model looks again.
constexpr std::chrono::milliseconds k_behind_retry{250};

ModelFingerprint fingerprint_of(const std::vector<watcher::FileState>& states) {
    ModelFingerprint fingerprint;
    for (const auto& state : states) {
        fingerprint.push_back({state.path, state.size, state.mtime_ns, state.inode});
    }
    return fingerprint;
}

// Why a model has no files to back up: gone, or (a folder model) empty.
std::string why_no_files(const config::Watch& watch, const std::string& model) {
    const auto path = model.empty() ? watch.path : watch.path / model;
    std::error_code error;
    if (model.empty() && std::filesystem::is_directory(path, error)) {
        return fmt::format("{} holds no file to back up (it is empty, or `exclude` skips every "
                           "file in it)",
                           escape_name(path.string()));
    }
    return fmt::format("{} no longer exists", escape_name(path.string()));
}

} // namespace

BackupService::BackupService(boost::asio::io_context& io, vault::Vault& vault, JobQueue& jobs,
                             FingerprintStore& fingerprints, const Clock& clock)
    : m_io(io), m_vault(vault), m_jobs(jobs), m_fingerprints(fingerprints), m_clock(clock) {}

void BackupService::set_watches(std::vector<config::Watch> watches) {
    {
        std::lock_guard lock(m_mutex);
        m_watches.clear();
        for (auto& watch : watches) {
            // A series watch skips the frameworks' temporary names, as its watcher does.
            std::string name = watch.name;
            m_watches.emplace(std::move(name), watcher::with_series_excludes(std::move(watch)));
        }
    }
    recall_late_metrics();
}

std::optional<config::Watch> BackupService::find_watch(const std::string& name) const {
    std::lock_guard lock(m_mutex);
    const auto it = m_watches.find(name);
    return it == m_watches.end() ? std::nullopt : std::optional<config::Watch>(it->second);
}

void BackupService::submit(BackupRequest request, BackupDone done, vault::ProgressFn progress) {
    const std::string key = model_text(request.watch, request.model);
    // A series' checkpoints share a model and must not be merged into one another: only a
    // request for the very same checkpoint is (unless someone waits for its answer).
    const bool series = !request.checkpoint.empty();
    const Coalesce coalesce =
        is_automatic(request.trigger) && !series ? Coalesce::yes : Coalesce::no;
    const std::string pending = key + "\n" + request.checkpoint;
    if (series && is_automatic(request.trigger) && !done) {
        std::lock_guard lock(m_mutex);
        if (!m_pending.insert(pending).second) {
            return;
        }
    }
    auto work = [this, request, done, progress, pending](const std::stop_token& stop) {
        {
            std::lock_guard lock(m_mutex);
            m_pending.erase(pending);
        }
        BackupOutcome outcome = run(request, stop, done, progress);
        if (!outcome.deferred) {
            release(outcome.model, request.checkpoint);
            if (done) {
                done(outcome);
            }
        }
    };
    if (!m_jobs.submit(key, std::move(work), coalesce) && coalesce == Coalesce::no && done) {
        done({BackupStatus::failed, key, std::nullopt, "modelvaultd is stopping",
              ErrorCode::unavailable});
    }
}

std::vector<watcher::FileState>
BackupService::model_states(const config::Watch& watch, const BackupRequest& request,
                            std::optional<watcher::CheckpointRef>& checkpoint) {
    std::vector<std::string> files;
    if (request.checkpoint.empty()) {
        files = watcher::list_model_files(watch, request.model);
    } else if ((checkpoint = watcher::checkpoint_at(watch, request.checkpoint))) {
        files = watcher::list_checkpoint_files(watch, *checkpoint);
    }
    return watcher::file_states(watch.path, files);
}

BackupOutcome BackupService::run(const BackupRequest& request, const std::stop_token& stop,
                                 const BackupDone& done, const vault::ProgressFn& progress) {
    const std::string id = model_text(request.watch, request.model);
    BackupOutcome outcome;
    outcome.model = id;
    const auto watch = find_watch(request.watch);
    if (!watch) {
        outcome.status = BackupStatus::skipped;
        outcome.code = ErrorCode::not_found;
        outcome.message = fmt::format("watch {} is no longer configured", request.watch);
        return outcome;
    }
    if (stop.stop_requested()) {
        outcome.code = ErrorCode::unavailable;
        outcome.message = "modelvaultd is stopping";
        return outcome;
    }
    if (behind_another(id, request.checkpoint)) {
        // An earlier checkpoint of the series waits (to settle, for its metrics): its
        // version comes first.
        return defer(request, k_behind_retry, "waiting behind an earlier request of the model",
                     Hold::no, done, progress);
    }
    try {
        std::optional<watcher::CheckpointRef> checkpoint;
        auto states = model_states(*watch, request, checkpoint);
        if (states.empty()) {
            return skipped_outcome(
                id, request.checkpoint.empty()
                        ? why_no_files(*watch, request.model)
                        : fmt::format("{} no longer exists",
                                      escape_name((watch->path / request.checkpoint).string())));
        }
        // Every path that stores a file comes through here: the file must have been left
        // alone for `settle`, whatever made us look (watcher/quiet.hpp).
        const auto verdict = watcher::judge_quiet(states, m_clock.now(), m_clock.steady_now(),
                                                  watch->settle, request.seen);
        if (!verdict.quiet) {
            return wait_for_quiet(*watch, request, std::move(states), verdict, done, progress);
        }
        return write(*watch, request, checkpoint ? &*checkpoint : nullptr, states, stop, done,
                     progress);
    } catch (const vault::FileChangedError& e) {
        outcome.code = ErrorCode::conflict;
        outcome.message = std::string(e.what()) + "; it will be backed up once it settles";
        spdlog::info("{}: {}", id, outcome.message);
        if (is_automatic(request.trigger)) {
            BackupRequest again = request;
            again.seen.reset();
            return defer(std::move(again),
                         std::chrono::duration_cast<std::chrono::milliseconds>(watch->settle * 2),
                         outcome.message, Hold::yes, done, progress);
        }
        return outcome;
    } catch (const Error& e) {
        outcome.code = e.code();
        outcome.message = e.what();
    } catch (const std::exception& e) {
        outcome.code = ErrorCode::internal;
        outcome.message = e.what();
    }
    return failed(request, std::move(outcome), stop);
}

BackupOutcome BackupService::write(const config::Watch& watch, const BackupRequest& request,
                                   const watcher::CheckpointRef* checkpoint,
                                   const std::vector<watcher::FileState>& states,
                                   const std::stop_token& stop, const BackupDone& done,
                                   const vault::ProgressFn& progress) {
    const std::string id = model_text(request.watch, request.model);
    if (checkpoint && checkpoint->alias) {
        if (auto copy = alias_copy(watch, *checkpoint, id)) {
            return skipped_outcome(id, std::move(*copy));
        }
    }
    const auto now = m_clock.steady_now();
    // Waiting for metrics makes no sense for last.ckpt (its name carries none, and the
    // next epoch replaces it) nor once the files changed under the wait: the save that
    // waited is gone, this one is stored now rather than lost too.
    const bool replaced = request.metrics_for && *request.metrics_for != states;
    if (replaced) {
        spdlog::warn("{}: saved again while its version waited for metrics: the earlier save "
                     "was not stored (make metrics_wait shorter than the time between saves)",
                     id);
    }
    const bool wait_over = request.trigger == vault::Trigger::manual ||
                           watch.triggers.metrics_wait.count() == 0 || replaced ||
                           (checkpoint && checkpoint->alias) ||
                           (request.metrics_deadline && now >= *request.metrics_deadline);
    int failed_checks = 0;
    {
        std::lock_guard lock(m_mutex);
        failed_checks = m_failed_checks[id];
    }
    const BackupPlan plan = plan_backup({watch, request, states, checkpoint,
                                         !checkpoint || watcher::is_newest(watch, *checkpoint),
                                         failed_checks, wait_over, m_clock.now()},
                                        m_vault);
    if (!plan.go) {
        BackupRequest next = request;
        if (plan.wait_for_metrics && !next.metrics_for) {
            next.metrics_for = states;
        }
        return not_now(watch, next, plan, done, progress);
    }
    const vault::NewVersion& version = plan.version;
    ensure_room(id, fingerprint_of(states), m_vault.root());
    const auto started = m_clock.steady_now();
    vault::WriteResult result = m_vault.write_version(version, stop, progress);
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(m_clock.steady_now() - started);
    m_fingerprints.put(checkpoint ? checkpoint_key(id, checkpoint->member) : id,
                       fingerprint_of(states));
    BackupOutcome outcome;
    outcome.model = id;
    outcome.manifest = result.manifest;
    outcome.status = result.committed ? BackupStatus::committed : BackupStatus::unchanged;
    record_result(request, id, result);
    if (!result.committed) {
        spdlog::info("{} unchanged (same as {})", id, result.manifest.version.to_string());
        // `backup --tag T` of content already stored labels the version that holds it,
        // rather than dropping the tag.
        if (!version.tags.empty()) {
            auto tags = result.manifest.tags;
            tags.insert(tags.end(), version.tags.begin(), version.tags.end());
            outcome.manifest = m_vault.set_tags(id, result.manifest.version, std::move(tags));
            spdlog::info("{} {} tagged {}", id, result.manifest.version.to_string(),
                         fmt::join(version.tags, ","));
        }
        return outcome;
    }
    spdlog::info("{} {} written ({}{}), {}, {} new in {}", id, result.manifest.version.to_string(),
                 vault::to_string(version.trigger),
                 version.reason.empty() ? "" : ": " + version.reason,
                 format_bytes(result.manifest.total_size()),
                 format_bytes(result.manifest.storage.new_bytes), format_elapsed(elapsed));
    report(created_event(watch, request.model, result.manifest, elapsed, m_clock.now()));
    remember_late_metrics(id, watch, request, result.manifest, plan.late_metrics_files,
                          plan.late_metrics_states);
    after_commit(id, result.manifest);
    return outcome;
}

void BackupService::record_result(const BackupRequest& request, const std::string& id,
                                  const vault::WriteResult& result) {
    std::lock_guard lock(m_mutex);
    m_failed_attempts.erase(id);
    m_failed_checks.erase(id);
    m_counters.bytes_read += result.bytes_read;
    if (result.committed) {
        ++m_counters.committed;
        m_counters.bytes_stored += result.manifest.storage.new_bytes;
        m_last_backup[request.watch] = {id, result.manifest.version.to_string(), m_clock.now()};
        if (m_on_commit) {
            boost::asio::post(m_io, m_on_commit);
        }
    } else {
        ++m_counters.unchanged;
        m_counters.bytes_deduplicated += result.manifest.total_size();
    }
}

void BackupService::after_commit(const std::string& id, const vault::Manifest& manifest) {
    // After a rollback `current` names the version in the watched folder; a new version
    // written from that folder is now what is there.
    if (const auto current = m_vault.pointer(id, vault::Pointer::current);
        current && *current != manifest.version) {
        try {
            m_vault.move_pointer(id, vault::Pointer::current, manifest.version,
                                 "a new version was written from the watched folder", -1);
        } catch (const Error& e) {
            spdlog::warn("{}: `current` could not follow the new version: {}", id, e.what());
        }
    }
    // Retention runs after each new version, in the same job: nothing else writes this
    // model meanwhile. A failure here does not undo the backup.
    try {
        prune(id, DryRun::no);
    } catch (const std::exception& e) {
        spdlog::error("{}: retention failed after {}: {}", id, manifest.version.to_string(),
                      e.what());
    }
}

} // namespace mv::daemon
