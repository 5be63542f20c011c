// What goes wrong and what is reported: failed backups and their retries, retention
// runs, and the counters, last results and waiting models that `status` shows (the other
// half of backup_service.cpp).
#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/backup_plan.hpp"
#include "daemon/backup_service.hpp"
#include "daemon/disk_space.hpp"
#include "daemon/events.hpp"
#include "daemon/watch_versions.hpp"
#include "util/escape.hpp"
#include "util/time.hpp"
#include "watcher/scan.hpp"

namespace mv::daemon {

namespace {

constexpr std::chrono::seconds k_first_retry{30};
constexpr std::chrono::minutes k_longest_retry{30};

} // namespace

bool is_automatic(vault::Trigger trigger) {
    return trigger == vault::Trigger::change || trigger == vault::Trigger::schedule;
}

BackupOutcome skipped_outcome(const std::string& id, std::string message) {
    BackupOutcome outcome;
    outcome.model = id;
    outcome.status = BackupStatus::skipped;
    outcome.code = ErrorCode::not_found;
    outcome.message = std::move(message);
    spdlog::info("{}: skipped, {}", id, outcome.message);
    return outcome;
}

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
        return skipped_outcome(
            id, outcome.message); // deleted before it could be read: nothing to retry
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
        versions_removed();
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

void BackupService::on_removal(std::function<void()> callback) {
    std::lock_guard lock(m_mutex);
    m_on_removal = std::move(callback);
}

void BackupService::versions_removed() {
    std::lock_guard lock(m_mutex);
    if (m_on_removal) {
        boost::asio::post(m_io, m_on_removal);
    }
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
