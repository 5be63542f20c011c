#pragma once
// The state of one watch as `modelvaultctl status` shows it.

#include <cstddef>
#include <filesystem>
#include <string>

namespace mv::watcher {

enum class WatchState {
    watching, ///< the tree is watched
    missing,  ///< the path does not exist or is not a directory (yet); polled until it appears
    error,    ///< it exists but cannot be watched (permissions, inotify limits); retried
};

/// "watching", "missing" or "error".
const char* to_string(WatchState state);

struct WatchStatus {
    std::string name;
    std::filesystem::path path;
    WatchState state = WatchState::missing;
    std::string message;         ///< why it is missing or in error, and what to do; "" when fine
    std::size_t directories = 0; ///< directories with an inotify watch
    std::size_t pending = 0;     ///< models written and waiting to settle
};

} // namespace mv::watcher
