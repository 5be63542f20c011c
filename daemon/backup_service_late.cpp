// Metrics that arrive after their version (docs/CONFIG.md, "Metrics that belong to the
// weights"): a version written with its metrics missing keeps an eye on the metrics files
// they may still come from; a fresh content that has them is attached to that version —
// as long as it is still the model's latest — and may then move `best`.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "daemon/backup_service.hpp"
#include "daemon/metrics_source.hpp"
#include "daemon/triggers.hpp"
#include "util/escape.hpp"
#include "watcher/filter.hpp"
#include "watcher/quiet.hpp"
#include "watcher/scan.hpp"

namespace mv::daemon {

namespace {

using nlohmann::json;

// The metrics files a model's triggers read, expanded for `model_file`.
std::vector<std::string> metrics_files_of(const config::Watch& watch,
                                          const std::string& model_file) {
    std::vector<std::string> files;
    const auto add = [&](const std::string& pattern) {
        auto file = expand_template(pattern, model_file, watch.name);
        if (std::find(files.begin(), files.end(), file) == files.end()) {
            files.push_back(std::move(file));
        }
    };
    if (watch.triggers.improvement) {
        add(watch.triggers.improvement->metrics_file);
    }
    if (watch.triggers.steps) {
        add(watch.triggers.steps->metrics_file);
    }
    return files;
}

// How long late metrics and the model's weights must be left alone before the metrics are
// attached (docs/CONFIG.md, "Metrics that belong to the weights"): a job that evaluates
// first writes its next save's metrics just before that save's weights, and those
// metrics belong to the new save, not to the version before it.
std::chrono::nanoseconds late_metrics_grace(const config::Watch& watch) {
    return std::max<std::chrono::nanoseconds>(std::chrono::seconds(10), 2 * watch.settle);
}

// When the newest of `files` was last changed, as the system clock counts.
SystemTime last_change(const config::Watch& watch,
                       const std::vector<vault::MetricsFileRef>& files) {
    std::int64_t newest = 0;
    for (const auto& file : files) {
        if (const auto state = watcher::file_state(watch.path, file.path)) {
            // ctime too: a copy that kept an old mtime (cp -p, rsync -t) is new all the same.
            newest = std::max({newest, state->mtime_ns, state->ctime_ns});
        }
    }
    return SystemTime(
        std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(newest)));
}

// The version's reason once its metrics came: "metrics missing: …" gives way to what
// happened; the reasons around it stay.
std::string reason_with_late_metrics(const std::string& reason) {
    static constexpr std::string_view missing = "metrics missing: ";
    static constexpr std::string_view after = "; flagged incomplete: ";
    const std::size_t begin = reason.find(missing);
    if (begin == std::string::npos) {
        return reason;
    }
    const std::size_t end = reason.find(after, begin);
    return reason.substr(0, begin) + "its metrics came after the version" +
           (end == std::string::npos ? std::string() : reason.substr(end));
}

// Whether the files of the model still are the version's own, so that metrics arriving
// now can be its: a plain model file must still hold its weights; in a series, a newer
// checkpoint may be the one a shared metrics file now describes (its backup can still be
// settling), while a per-checkpoint file ({stem}.metrics.json) names its checkpoint.
bool still_its_own(const config::Watch& watch, const std::string& model_file,
                   const vault::Manifest& latest) {
    if (latest.checkpoint) {
        const auto& triggers = watch.triggers;
        const bool shared =
            (triggers.improvement && !per_checkpoint(triggers.improvement->metrics_file)) ||
            (triggers.steps && !per_checkpoint(triggers.steps->metrics_file));
        const auto checkpoint = watcher::checkpoint_at(watch, model_file);
        return !shared || (checkpoint && watcher::is_newest(watch, *checkpoint));
    }
    const auto files = watcher::list_model_files(watch, model_file);
    return matches_manifest(take_fingerprint(watch, files), model_file, latest);
}

// The verdict of the improvement trigger on a version whose metrics came late; `best`
// moves to it when they beat the best version's.
std::string move_best_if_improved(vault::Vault& vault, const config::Watch& watch,
                                  const vault::Manifest& manifest) {
    const auto& triggers = watch.triggers;
    if (!triggers.improvement || manifest.incomplete) {
        return "no improvement trigger";
    }
    const auto& rule = *triggers.improvement;
    std::string problem;
    std::optional<double> best_value;
    if (const auto best = vault.pointer(manifest.model, vault::Pointer::best)) {
        if (const auto best_manifest = vault.find(manifest.model, *best)) {
            best_value = read_metric(best_manifest->metrics, rule.metric, problem);
        }
    }
    const auto value = read_metric(manifest.metrics, rule.metric, problem);
    if (!value) {
        return problem;
    }
    const auto verdict = judge_improvement(rule, best_value, *value);
    if (verdict.improved) {
        vault.move_pointer(manifest.model, vault::Pointer::best, manifest.version,
                           verdict.reason + " (its metrics came after the version)", -1);
    }
    return verdict.reason;
}

} // namespace

void BackupService::remember_late_metrics(const std::string& id, const config::Watch& watch,
                                          const BackupRequest& request,
                                          const vault::Manifest& manifest,
                                          std::vector<std::string> files,
                                          std::vector<std::optional<watcher::FileState>> seen) {
    std::lock_guard lock(m_mutex);
    if (files.empty()) {
        m_late.erase(id); // a newer version: the older one's metrics no longer come
        return;
    }
    // `seen` as the plan read them, before the version was written (which may take longer
    // than `settle`): a file still settling then has not been looked at, and is read once
    // it settles; one that changed during the write is read again.
    m_late[id] = LateMetrics{watch.name, manifest.version,
                             request.checkpoint.empty() ? request.model : request.checkpoint,
                             std::move(files), std::move(seen)};
}

void BackupService::recall_late_metrics() {
    // After a restart: the latest version of each model that still lacks its metrics.
    for (const auto& id : m_vault.models()) {
        const auto latest = m_vault.latest(id);
        const auto model = vault::ModelId::parse(id);
        const auto watch = model ? find_watch(model->watch) : std::nullopt;
        if (!latest || !latest->metrics_missing || !watch) {
            continue;
        }
        std::string model_file = model->relative;
        if (latest->checkpoint) {
            const std::size_t slash = model_file.rfind('/');
            model_file = watcher::join_relative(
                slash == std::string::npos ? "" : model_file.substr(0, slash),
                latest->checkpoint->name);
        }
        LateMetrics late{
            watch->name, latest->version, model_file, metrics_files_of(*watch, model_file), {}};
        late.seen.assign(late.files.size(), std::nullopt);
        std::lock_guard lock(m_mutex);
        m_late.try_emplace(id, std::move(late));
    }
}

void BackupService::poll_late_metrics() {
    std::vector<std::string> due;
    {
        std::lock_guard lock(m_mutex);
        for (auto it = m_late.begin(); it != m_late.end();) {
            const auto watch = m_watches.find(it->second.watch);
            if (watch == m_watches.end()) {
                it = m_late.erase(it);
                continue;
            }
            const LateMetrics& late = it->second;
            for (std::size_t i = 0; i < late.files.size(); ++i) {
                const auto state = watcher::file_state(watch->second.path, late.files[i]);
                if (state && state != late.seen[i]) {
                    due.push_back(it->first);
                    break;
                }
            }
            ++it;
        }
    }
    for (const auto& id : due) {
        m_jobs.submit(
            id,
            [this, id](const std::stop_token& stop) {
                if (!stop.stop_requested()) {
                    attach_late_metrics(id);
                }
            },
            Coalesce::yes);
    }
}

void BackupService::attach_late_metrics(const std::string& id) {
    LateMetrics late;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_late.find(id);
        if (it == m_late.end()) {
            return;
        }
        late = it->second;
    }
    const auto watch = find_watch(late.watch);
    const auto latest = m_vault.latest(id);
    const auto forget = [&] {
        std::lock_guard lock(m_mutex);
        m_late.erase(id);
    };
    if (!watch || !latest || latest->version != late.version || !latest->metrics_missing) {
        return forget(); // a newer version came: these metrics are its business
    }
    if (!still_its_own(*watch, late.model_file, *latest)) {
        return forget();
    }
    json fresh = json::object();
    std::vector<vault::MetricsFileRef> taken;
    for (std::size_t i = 0; i < late.files.size(); ++i) {
        auto read = read_fresh_metrics(*watch, late.files[i], id, m_vault, m_clock.now());
        if (read.document) {
            fresh.merge_patch(*read.document);
            taken.push_back({late.files[i], read.sha256});
        }
        if (read.problem.find("being written") == std::string::npos) {
            late.seen[i] = watcher::file_state(watch->path, late.files[i]);
        }
    }
    json all = latest->metrics;
    all.merge_patch(fresh);
    const auto& triggers = watch->triggers;
    const bool complete =
        !taken.empty() &&
        (!triggers.improvement || has_metric(all, triggers.improvement->metric)) &&
        (!triggers.steps || has_metric(all, triggers.steps->counter));
    if (!complete) {
        std::lock_guard lock(m_mutex);
        if (const auto it = m_late.find(id); it != m_late.end()) {
            it->second.seen = late.seen;
        }
        return;
    }
    if (m_clock.now() - last_change(*watch, taken) < late_metrics_grace(*watch)) {
        return; // looked at again on the next poll: the files still differ from `seen`
    }
    const auto manifest = m_vault.attach_metrics(id, late.version, fresh, taken,
                                                 reason_with_late_metrics(latest->reason));
    forget();
    const std::string verdict_text = move_best_if_improved(m_vault, *watch, manifest);
    std::vector<std::string> names;
    for (const auto& file : taken) {
        names.push_back(escape_name(file.path));
    }
    spdlog::info("{} {}: metrics arrived after the version and are recorded ({}): {}", id,
                 late.version.to_string(), fmt::join(names, ", "), verdict_text);
}

} // namespace mv::daemon
