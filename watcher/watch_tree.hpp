#pragma once
// One configured watch and its inotify watch tree: the root, plus (when recursive) every
// non-excluded subdirectory, each mapped from its watch descriptor to its path relative to
// the root. It knows nothing of settling: the Watcher feeds the files it finds to the
// Settler.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "config/model.hpp"
#include "watcher/change.hpp"
#include "watcher/event_source.hpp"
#include "watcher/scan.hpp"
#include "watcher/watch_status.hpp"
#include "watcher/wd_owners.hpp"

namespace mv::watcher {

/// How long an `error` watch waits before the next attempt (a full tree walk: not every poll).
inline constexpr std::chrono::seconds k_error_retry_interval{5};

/// The events every directory is watched for. One mask for all, because a directory shared
/// by two overlapping watches has one kernel watch whose mask the last add_watch sets.
std::uint32_t watch_mask();

class WatchTree {
public:
    /// A stopped tree (state `missing` until start() says otherwise). `source` and `owners`
    /// must outlive it.
    WatchTree(config::Watch config, EventSource& source, WdOwners& owners);
    /// Releases its watch descriptors.
    ~WatchTree();
    WatchTree(const WatchTree&) = delete;
    WatchTree& operator=(const WatchTree&) = delete;

    const config::Watch& config() const { return m_config; }
    /// Replaces settings that do not affect the tree (settle, triggers, ...).
    void update_config(config::Watch config) { m_config = std::move(config); }
    /// True when subdirectories are watched: `recursive`, and always for layout directory
    /// (the whole tree is the model) and for a checkpoint series (folder checkpoints).
    bool recursive() const;
    WatchState state() const { return m_state; }
    const std::string& message() const { return m_message; }
    /// Directories currently holding an inotify watch.
    std::size_t directories() const { return m_dirs.size(); }

    /// (Re)starts watching from scratch; true when the whole tree is now watched. Otherwise
    /// the state says why (`missing`: no such directory; `error`: what to do).
    bool start(SteadyTime now);
    /// Releases every watch and enters `state` (missing or error) with `message`.
    void stop(WatchState state, std::string message, SteadyTime now);
    /// Watches `relative_dir` and, when recursive, every directory below it; `on_file` gets
    /// each regular file found. False when a failure (e.g. the watch limit) put the tree in
    /// `error`; the directories watched so far keep working until the retry.
    bool add_subtree(const std::string& relative_dir, const FileVisitor& on_file, SteadyTime now);
    /// Stops watching `relative_dir` and everything below it.
    void remove_subtree(std::string_view relative_dir);
    /// Forgets `wd` after the kernel dropped it (IN_IGNORED).
    void forget(int wd);
    /// Re-walks the whole tree after lost events: new directories are watched, vanished
    /// ones released. False when it put the tree in `error`.
    bool resync(SteadyTime now);

    /// The directory (relative to the root, "" for the root) that `wd` watches.
    std::optional<std::string> directory_of(int wd) const;
    /// True when the root path no longer leads to the watched directory (a parent renamed).
    bool root_replaced() const;
    /// True when an `error` tree is due for another attempt at `now`.
    bool retry_due(SteadyTime now) const {
        return m_state == WatchState::error && now >= m_retry_at;
    }

private:
    bool watch_directory(const std::string& relative_dir);
    void release(int wd);
    void enter(WatchState state, std::string message, SteadyTime now);

    config::Watch m_config;
    EventSource& m_source;
    WdOwners& m_owners;
    WatchState m_state = WatchState::missing;
    std::string m_message;
    std::map<int, std::string> m_dirs; ///< wd → directory relative to the root
    std::optional<std::pair<dev_t, ino_t>> m_root_id;
    std::string m_pending_error; ///< set by watch_directory when add_watch failed for real
    SteadyTime m_retry_at{};
};

} // namespace mv::watcher
