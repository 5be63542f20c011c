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

constexpr std::chrono::seconds k_first_retry{30};
constexpr std::chrono::minutes k_longest_retry{30};
/// The least a manual backup waits for a file that is still being written.
constexpr std::chrono::seconds k_manual_quiet_wait{5};

bool is_automatic(vault::Trigger trigger) {
    return trigger == vault::Trigger::change || trigger == vault::Trigger::schedule;
}

watcher::SteadyTime steady_time_now() {
    return std::chrono::steady_clock::now();
}

ModelFingerprint fingerprint_of(const std::vector<watcher::FileState>& states) {
    ModelFingerprint fingerprint;
    for (const auto& state : states) {
        fingerprint.push_back({state.path, state.size, state.mtime_ns, state.inode});
    }
    return fingerprint;
}

BackupOutcome skipped(const std::string& id, std::string message) {
    BackupOutcome outcome;
    outcome.model = id;
    outcome.status = BackupStatus::skipped;
    outcome.code = ErrorCode::not_found;
    outcome.message = std::move(message);
    spdlog::info("{}: skipped, {}", id, outcome.message);
    return outcome;
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

const char* to_string(BackupStatus status) {
    switch (status) {
    case BackupStatus::committed:
        return "committed";
    case BackupStatus::unchanged:
        return "unchanged";
    case BackupStatus::skipped:
        return "skipped";
    case BackupStatus::failed:
        return "failed";
    }
    return "failed";
}

std::string model_text(const std::string& watch, const std::string& relative) {
    return vault::ModelId{watch, relative}.text();
}

BackupService::BackupService(boost::asio::io_context& io, vault::Vault& vault, JobQueue& jobs,
                             FingerprintStore& fingerprints, const Clock& clock)
    : m_io(io), m_vault(vault), m_jobs(jobs), m_fingerprints(fingerprints), m_clock(clock) {}

void BackupService::set_watches(std::vector<config::Watch> watches) {
    std::lock_guard lock(m_mutex);
    m_watches.clear();
    for (auto& watch : watches) {
        m_watches.emplace(watch.name, std::move(watch));
    }
}

std::optional<config::Watch> BackupService::find_watch(const std::string& name) const {
    std::lock_guard lock(m_mutex);
    const auto it = m_watches.find(name);
    return it == m_watches.end() ? std::nullopt : std::optional<config::Watch>(it->second);
}

void BackupService::submit(BackupRequest request, BackupDone done, vault::ProgressFn progress) {
    const std::string key = model_text(request.watch, request.model);
    const Coalesce coalesce = is_automatic(request.trigger) ? Coalesce::yes : Coalesce::no;
    auto work = [this, request, done, progress](const std::stop_token& stop) {
        BackupOutcome outcome = run(request, stop, done, progress);
        if (done && !outcome.deferred) {
            done(outcome);
        }
    };
    if (!m_jobs.submit(key, std::move(work), coalesce) && coalesce == Coalesce::no && done) {
        done({BackupStatus::failed, key, std::nullopt, "modelvaultd is stopping",
              ErrorCode::unavailable});
    }
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
    try {
        const auto files = watcher::list_model_files(*watch, request.model);
        auto states = watcher::file_states(watch->path, files);
        if (files.empty() || states.empty()) {
            return skipped(id, why_no_files(*watch, request.model));
        }
        // Every path that stores a file comes through here: the file must have been left
        // alone for `settle`, whatever made us look (watcher/quiet.hpp).
        const auto verdict = watcher::judge_quiet(states, m_clock.now(), steady_time_now(),
                                                  watch->settle, request.seen);
        if (!verdict.quiet) {
            return wait_for_quiet(*watch, request, std::move(states), verdict, done, progress);
        }
        return write(*watch, request, states, stop, progress);
    } catch (const vault::FileChangedError& e) {
        outcome.code = ErrorCode::conflict;
        outcome.message = std::string(e.what()) + "; it will be backed up once it settles";
        spdlog::info("{}: {}", id, outcome.message);
        if (is_automatic(request.trigger)) {
            schedule_retry(
                request, std::chrono::duration_cast<std::chrono::milliseconds>(watch->settle * 2));
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

BackupOutcome BackupService::wait_for_quiet(const config::Watch& watch,
                                            const BackupRequest& request,
                                            std::vector<watcher::FileState> states,
                                            const watcher::QuietVerdict& verdict,
                                            const BackupDone& done,
                                            const vault::ProgressFn& progress) {
    const std::string id = model_text(request.watch, request.model);
    BackupRequest next = request;
    const auto now = steady_time_now();
    next.seen = watcher::Observation{std::move(states), now};
    next.waiting_since = request.waiting_since.value_or(now);
    BackupOutcome outcome;
    outcome.model = id;
    outcome.status = BackupStatus::skipped;
    outcome.code = ErrorCode::conflict;
    // A manual backup answers someone who waits: it does not wait forever for a writer
    // that never stops.
    const auto limit = std::max<std::chrono::milliseconds>(k_manual_quiet_wait,
                                                           watch.settle * k_incomplete_checks);
    if (request.trigger == vault::Trigger::manual && now - *next.waiting_since > limit) {
        outcome.status = BackupStatus::failed;
        outcome.message = fmt::format(
            "{} is still being written ({}); nothing was stored: modelvaultd stores a file only "
            "once it has been left alone for settle ({}) — run the backup again when its writer "
            "is done",
            id, verdict.why, format_elapsed(watch.settle));
        spdlog::warn("{}: backup refused, {}", id, outcome.message);
        return outcome;
    }
    outcome.deferred = true;
    outcome.message = fmt::format("still being written ({})", verdict.why);
    if (!request.seen) {
        spdlog::info("{}: not backed up yet: {}; looking again in {}", id, outcome.message,
                     format_elapsed(verdict.wait));
    } else {
        spdlog::debug("{}: {}; looking again in {}", id, outcome.message,
                      format_elapsed(verdict.wait));
    }
    {
        std::lock_guard lock(m_mutex);
        m_waiting.insert(id);
    }
    schedule_retry(std::move(next), verdict.wait, done, progress, Waiting::yes);
    return outcome;
}

BackupOutcome BackupService::write(const config::Watch& watch, const BackupRequest& request,
                                   const std::vector<watcher::FileState>& states,
                                   const std::stop_token& stop, const vault::ProgressFn& progress) {
    const std::string id = model_text(request.watch, request.model);
    BackupOutcome outcome;
    outcome.model = id;
    int failed_checks = 0;
    {
        std::lock_guard lock(m_mutex);
        failed_checks = m_failed_checks[id];
    }
    BackupPlan plan = plan_backup(watch, request, states, m_vault, failed_checks);
    if (!plan.go) {
        outcome.status = BackupStatus::skipped;
        outcome.code = ErrorCode::conflict;
        outcome.message = plan.why_not;
        if (plan.recheck_after) {
            {
                std::lock_guard lock(m_mutex);
                ++m_failed_checks[id];
            }
            spdlog::info("{}: not backed up yet: {}", id, plan.why_not);
            BackupRequest again = request;
            again.seen.reset();
            schedule_retry(std::move(again), *plan.recheck_after);
        } else {
            spdlog::debug("{}: no version: {}", id, plan.why_not);
        }
        return outcome;
    }
    const vault::NewVersion& version = plan.version;
    ensure_room(id, fingerprint_of(states), m_vault.root());
    const auto started = std::chrono::steady_clock::now();
    vault::WriteResult result = m_vault.write_version(version, stop, progress);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    m_fingerprints.put(id, fingerprint_of(states));
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
    spdlog::info("{} {} written ({}{}), {} → {} in {}", id, result.manifest.version.to_string(),
                 vault::to_string(version.trigger),
                 version.reason.empty() ? "" : ": " + version.reason,
                 format_bytes(result.manifest.total_size()),
                 format_bytes(result.manifest.archive.size), format_elapsed(elapsed));
    report(created_event(watch, request.model, result.manifest, elapsed, m_clock.now()));
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
        m_counters.bytes_stored += result.manifest.archive.size;
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

BackupOutcome BackupService::failed(const BackupRequest& request, BackupOutcome outcome,
                                    const std::stop_token& stop) {
    const std::string id = outcome.model;
    if (outcome.code == ErrorCode::cancelled || stop.stop_requested()) {
        outcome.message = "abandoned: modelvaultd is stopping (nothing was written)";
        outcome.code = ErrorCode::unavailable;
        spdlog::info("{}: backup {}", id, outcome.message);
        return outcome;
    }
    if (outcome.code == ErrorCode::not_found) {
        return skipped(id, outcome.message); // deleted before it could be read: nothing to retry
    }
    const auto watch = find_watch(request.watch);
    record_failure(id, outcome.message, outcome.code, request.watch,
                   watch ? watch->path / request.model : std::filesystem::path(),
                   vault::to_string(request.trigger));
    // A symlink or a non-regular file will not change by waiting.
    if (is_automatic(request.trigger) && outcome.code != ErrorCode::invalid_argument) {
        int attempts = 0;
        {
            std::lock_guard lock(m_mutex);
            attempts = ++m_failed_attempts[id];
        }
        const auto delay = std::min<std::chrono::milliseconds>(
            k_first_retry * (1 << std::min(attempts - 1, 10)), k_longest_retry);
        spdlog::error("{}: backup failed: {}; retrying in {}", id, outcome.message,
                      format_elapsed(delay));
        schedule_retry(request, delay);
    } else {
        spdlog::error("{}: backup failed: {}", id, outcome.message);
    }
    return outcome;
}

void BackupService::schedule_retry(BackupRequest request, std::chrono::milliseconds delay,
                                   BackupDone done, vault::ProgressFn progress, Waiting waiting) {
    boost::asio::post(m_io, [this, request = std::move(request), delay, done = std::move(done),
                             progress = std::move(progress), waiting]() mutable {
        auto timer = std::make_shared<boost::asio::steady_timer>(m_io, delay);
        timer->async_wait([this, timer, request = std::move(request), done = std::move(done),
                           progress = std::move(progress),
                           waiting](const boost::system::error_code& error) mutable {
            if (waiting == Waiting::yes) {
                std::lock_guard lock(m_mutex);
                if (const auto it = m_waiting.find(model_text(request.watch, request.model));
                    it != m_waiting.end()) {
                    m_waiting.erase(it);
                }
            }
            if (!error) {
                submit(std::move(request), std::move(done), std::move(progress));
            } else if (done) {
                done({BackupStatus::failed, model_text(request.watch, request.model), std::nullopt,
                      "modelvaultd is stopping", ErrorCode::unavailable});
            }
        });
    });
}

void BackupService::record_failure(const std::string& model, const std::string& message,
                                   ErrorCode code, const std::string& watch,
                                   const std::filesystem::path& path, const std::string& trigger) {
    {
        std::lock_guard lock(m_mutex);
        ++m_counters.failed;
        m_last_error = LastError{fmt::format("{}: {}", model, message), m_clock.now()};
    }
    report(failed_event(watch, model, trigger, path.string(), code, message, m_clock.now()));
}

void BackupService::report(notify::Event event) const {
    if (m_events != nullptr) {
        m_events->publish(std::move(event));
    }
}

void BackupService::note_error(std::string message) {
    std::lock_guard lock(m_mutex);
    m_last_error = LastError{std::move(message), m_clock.now()};
}

std::optional<config::RetentionPolicy> BackupService::policy_for(const std::string& model) const {
    const auto id = vault::ModelId::parse(model);
    if (!id) {
        return std::nullopt;
    }
    const auto watch = find_watch(id->watch);
    return watch ? watch->retention : std::nullopt;
}

PruneReport BackupService::prune(const std::string& model, DryRun dry_run) {
    const auto policy = policy_for(model);
    PruneReport report = prune_model(m_vault, model, policy, m_clock.now(), dry_run);
    if (dry_run == DryRun::no && !report.removed.empty()) {
        {
            std::lock_guard lock(m_mutex);
            m_counters.pruned += report.removed.size();
            m_counters.reclaimed_bytes += report.reclaimed_bytes;
        }
        this->report(pruned_event(report, describe_policy(policy), m_clock.now()));
    }
    return report;
}

BackupService::Counters BackupService::counters() const {
    std::lock_guard lock(m_mutex);
    return m_counters;
}

std::optional<BackupService::LastBackup>
BackupService::last_backup(const std::string& watch) const {
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_last_backup.find(watch);
        if (it != m_last_backup.end()) {
            return it->second;
        }
    }
    // None since the start: the newest version in the vault, so that a restart does not
    // make status say there never was one.
    if (const auto newest = newest_version(m_vault, watch)) {
        return LastBackup{newest->model, newest->version.to_string(), newest->created};
    }
    return std::nullopt;
}

void BackupService::on_commit(std::function<void()> callback) {
    std::lock_guard lock(m_mutex);
    m_on_commit = std::move(callback);
}

std::optional<BackupService::LastError> BackupService::last_error() const {
    std::lock_guard lock(m_mutex);
    return m_last_error;
}

std::vector<std::string> BackupService::waiting() const {
    std::lock_guard lock(m_mutex);
    std::vector<std::string> models(m_waiting.begin(), m_waiting.end());
    models.erase(std::unique(models.begin(), models.end()), models.end());
    return models;
}

std::size_t BackupService::model_count(const std::string& watch) const {
    return count_models(m_vault, watch);
}

} // namespace mv::daemon
