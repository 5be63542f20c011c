// The backups a scan asks for: the start-up scan, rescans after lost events, schedules
// (the other half of backup_service.cpp).
#include <spdlog/spdlog.h>

#include "daemon/backup_service.hpp"
#include "watcher/scan.hpp"

namespace mv::daemon {

std::size_t BackupService::scan(const config::Watch& watch, const std::string& reason,
                                vault::Trigger trigger) {
    std::size_t queued = 0;
    std::vector<std::string> models;
    try {
        models = watcher::list_models(watch);
    } catch (const Error& e) {
        // The watcher reports the watch as `error`; a later rescan tries again.
        record_failure(watch.name, e.what(), e.code(), watch.name, watch.path,
                       vault::to_string(trigger));
        spdlog::error("watch {}: cannot scan: {}", watch.name, e.what());
        return 0;
    }
    for (const auto& model : models) {
        const std::string id = model_text(watch.name, model);
        ModelFingerprint now;
        try {
            now = take_fingerprint(watch, watcher::list_model_files(watch, model));
        } catch (const Error& e) {
            spdlog::error("watch {}: cannot scan: {}", watch.name, e.what());
            return queued;
        }
        if (now.empty()) {
            continue;
        }
        if (const auto known = m_fingerprints.get(id); known && *known == now) {
            continue;
        }
        if (const auto latest = m_vault.latest(id);
            latest && matches_manifest(now, model, *latest)) {
            m_fingerprints.put(id, now);
            continue;
        }
        submit({watch.name,
                model,
                trigger,
                std::nullopt,
                {},
                {},
                m_vault.latest(id) ? reason : "first backup of the model"});
        ++queued;
    }
    queued += scan_checkpoints(watch, reason, trigger);
    if (queued > 0) {
        spdlog::info("watch {}: {} model(s) to back up ({})", watch.name, queued, reason);
    }
    return queued;
}

std::size_t BackupService::scan_checkpoints(const config::Watch& watch, const std::string& reason,
                                            vault::Trigger trigger) {
    std::vector<watcher::CheckpointRef> checkpoints;
    try {
        checkpoints = watcher::list_checkpoints(watch);
    } catch (const Error& e) {
        spdlog::error("watch {}: cannot scan: {}", watch.name, e.what());
        return 0;
    }
    // In step order (list_checkpoints): each one's version comes after the earlier ones'.
    std::size_t queued = 0;
    for (const auto& checkpoint : checkpoints) {
        const std::string id = model_text(watch.name, checkpoint.model());
        const std::string key = checkpoint_key(id, checkpoint.member);
        const ModelFingerprint now =
            take_fingerprint(watch, watcher::list_checkpoint_files(watch, checkpoint));
        if (now.empty()) {
            continue;
        }
        if (const auto known = m_fingerprints.get(key); known && *known == now) {
            continue;
        }
        const auto versions = m_vault.versions(id);
        if (std::any_of(versions.begin(), versions.end(), [&](const vault::Manifest& manifest) {
                return matches_manifest(now, checkpoint, manifest);
            })) {
            m_fingerprints.put(key, now);
            continue;
        }
        submit(request_for(watch, checkpoint.member, trigger,
                           versions.empty() ? "first backup of the model" : reason));
        ++queued;
    }
    return queued;
}

bool BackupService::is_backed_up(const config::Watch& watch, const std::string& relative) const {
    const std::string id = model_text(watch.name, relative);
    const auto files = watcher::list_model_files(watch, relative);
    if (files.empty()) {
        return true; // nothing there to lose
    }
    const ModelFingerprint now = take_fingerprint(watch, files);
    if (const auto known = m_fingerprints.get(id); known && *known == now) {
        return true;
    }
    const auto latest = m_vault.latest(id);
    return latest && matches_manifest(now, relative, *latest);
}

} // namespace mv::daemon
