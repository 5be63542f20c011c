// Checkpoint series in the backup service (watcher/series.hpp): requests for a checkpoint,
// the order of a model's waiting requests, and Lightning's last.ckpt.
#include <sys/stat.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/backup_service.hpp"
#include "util/escape.hpp"
#include "watcher/scan.hpp"

namespace mv::daemon {

BackupRequest request_for(const config::Watch& watch, const std::string& relative,
                          vault::Trigger trigger, std::string reason) {
    BackupRequest request{watch.name, relative, trigger, std::nullopt, {}, {}, std::move(reason)};
    if (watch.checkpoints) {
        struct stat st {};
        const bool folder =
            ::lstat((watch.path / relative).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
        const auto path = watcher::classify(watch, relative, folder);
        if (path.role != watcher::SeriesRole::none) {
            request.model = path.checkpoint.model();
            request.checkpoint = path.checkpoint.member;
        }
    }
    return request;
}

bool BackupService::behind_another(const std::string& id, const std::string& checkpoint) const {
    std::lock_guard lock(m_mutex);
    const auto it = m_holders.find(id);
    return it != m_holders.end() && it->second != checkpoint;
}

void BackupService::release(const std::string& id, const std::string& checkpoint) {
    std::lock_guard lock(m_mutex);
    if (const auto it = m_holders.find(id); it != m_holders.end() && it->second == checkpoint) {
        m_holders.erase(it);
    }
}

std::optional<std::string> BackupService::alias_copy(const config::Watch& watch,
                                                     const watcher::CheckpointRef& checkpoint,
                                                     const std::string& id) {
    // Lightning saves last.ckpt right after the step's checkpoint, in the same callback
    // (ModelCheckpoint._save_last_checkpoint). When a checkpoint of the series was saved
    // since last.ckpt was last seen, last.ckpt is its copy: that checkpoint is the version.
    // When none was (the step was not in the top k), last.ckpt holds weights no other
    // file has, and is stored.
    const auto neighbours = watcher::series_neighbours(watch, checkpoint);
    std::int64_t own = 0;
    for (const auto& [ref, mtime] : neighbours) {
        if (ref.member == checkpoint.member) {
            own = mtime;
        }
    }
    std::int64_t previous = 0;
    {
        std::lock_guard lock(m_mutex);
        previous = std::exchange(m_alias_seen[id], own);
    }
    for (const auto& [ref, mtime] : neighbours) {
        if (!ref.alias && mtime > previous && mtime <= own) {
            return fmt::format("{} is Lightning's copy of {}, saved with it: that checkpoint is "
                               "the version",
                               escape_name(checkpoint.name()), escape_name(ref.name()));
        }
    }
    return std::nullopt;
}

} // namespace mv::daemon
