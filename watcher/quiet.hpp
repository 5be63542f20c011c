#pragma once
// Is a file quiet? Every path that stores a file (first settle, the re-check of an
// unfinished file, schedules, manual backups, the start-up scan) asks again, from the
// file's own state, whether it has been left alone for `settle` (docs/CONFIG.md,
// `settle`): inotify alone cannot say it for a file found by a scan, or one looked at
// again on a timer while its writer is back at work.
//
// Two ways to know, either suffices: the newest of the file's change and modification
// times lies `settle` in the past (ctime cannot be set by a writer, so `cp -p` or
// `touch -d` cannot fake an old file), or the daemon itself saw the very same state
// (device, inode, size, mtime, ctime) at two moments `settle` apart (for clocks that
// disagree, e.g. a file server's).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "config/model.hpp"
#include "util/time.hpp"
#include "watcher/change.hpp"

namespace mv::watcher {

/// What a file looked like: equal states mean nothing was written, renamed over it or
/// chmod-ed in between.
struct FileState {
    std::string path; ///< relative to the watch root
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
    friend bool operator==(const FileState&, const FileState&) = default;
};

/// lstat of `relative` below `root`: nullopt when it is gone or not a regular file.
std::optional<FileState> file_state(const std::filesystem::path& root, std::string_view relative);

/// The states of `files` below `root` (missing ones left out).
std::vector<FileState> file_states(const std::filesystem::path& root,
                                   const std::vector<std::string>& files);

/// A look at a set of files, kept to compare with a later one.
struct Observation {
    std::vector<FileState> states;
    SteadyTime at{};
};

struct QuietVerdict {
    bool quiet = false;
    /// When not quiet: how long to wait before looking again.
    std::chrono::milliseconds wait{0};
    /// When not quiet: how long ago the newest change was ("changed 0.4 s ago").
    std::string why;
};

/// Pure: are `states` quiet at wall time `now` and steady time `steady_now`, given an
/// earlier look (if any)? Timestamps within one kernel tick of `now` count as now.
QuietVerdict judge_quiet(const std::vector<FileState>& states, SystemTime now,
                         SteadyTime steady_now, config::Duration settle,
                         const std::optional<Observation>& earlier);

} // namespace mv::watcher
