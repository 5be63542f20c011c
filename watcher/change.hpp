#pragma once
// What the Watcher hands its owner: a model that settled, or a watch to rescan.

#include <chrono>
#include <string>

namespace mv::watcher {

/// Settle timing uses the monotonic clock: a wall-clock jump must not fire or stall it.
using SteadyTime = std::chrono::steady_clock::time_point;

/// One unit of work for the owner of a Watcher.
struct Change {
    enum class Kind {
        settled, ///< `model` was written and then stayed quiet for the watch's settle time
        rescan,  ///< compare the whole watch with the vault (start, overflow, reappearance)
    };
    Kind kind = Kind::settled;
    std::string watch; ///< watch name
    /// settled: layout files → path relative to the watch root, raw bytes, '/'-separated;
    /// layout directory → "" (the whole tree). rescan: "".
    std::string model;

    friend bool operator==(const Change&, const Change&) = default;
};

/// "settled" or "rescan".
const char* to_string(Change::Kind kind);

} // namespace mv::watcher
