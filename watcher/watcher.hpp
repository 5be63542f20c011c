#pragma once
// The watcher: turns inotify events under the configured watches into "this model settled"
// and "rescan this watch" changes. It never blocks, never sleeps and never calls its owner:
// the owner (the daemon) waits on native_handle() of the EventSource, calls
// process_events(), arms a timer for next_deadline(), and collects take_changes().

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "watcher/change.hpp"
#include "watcher/event_source.hpp"
#include "watcher/settler.hpp"
#include "watcher/watch_status.hpp"
#include "watcher/wd_owners.hpp"

namespace mv::watcher {

class WatchTree;

class Watcher {
public:
    /// Watches through `source`, which must outlive the Watcher.
    explicit Watcher(EventSource& source);
    ~Watcher();
    Watcher(const Watcher&) = delete;
    Watcher& operator=(const Watcher&) = delete;

    /// (Re)configures the set of watches. Unchanged watches keep their inotify watches and
    /// pending settle state (settings that do not shape the tree, like `settle`, are
    /// updated in place); removed ones are dropped; new or changed ones (path, layout,
    /// recursive, include, exclude) are set up and get a `rescan` Change when their path exists.
    void configure(std::vector<config::Watch> watches, SteadyTime now);
    /// Reads and applies every queued event. Throws mv::Error when the source fails.
    void process_events(SteadyTime now);
    /// Periodic housekeeping (the owner calls it about once a second): a `missing` watch whose
    /// path now exists starts watching and yields a `rescan`; an `error` watch is retried
    /// every k_error_retry_interval; a watch whose root was replaced is set up again.
    void poll(SteadyTime now);
    /// Removes and returns the changes that are due at `now`: rescans first, then models
    /// that settled.
    std::vector<Change> take_changes(SteadyTime now);
    /// The earliest time at which take_changes() may return something new (nullopt: nothing
    /// pending).
    std::optional<SteadyTime> next_deadline() const;
    /// One entry per configured watch, in configuration order.
    std::vector<WatchStatus> status() const;

private:
    WatchTree* find(const std::string& name) const;
    void apply(const RawEvent& event, SteadyTime now);
    void apply_to(WatchTree& tree, const RawEvent& event, SteadyTime now);
    void directory_event(WatchTree& tree, const std::string& path, std::uint32_t mask,
                         SteadyTime now);
    void file_event(WatchTree& tree, const std::string& path, std::uint32_t mask, SteadyTime now);
    /// An event about a path of a checkpoint series; false when the path is not part of one.
    bool series_event(const WatchTree& tree, const std::string& path, std::uint32_t mask,
                      SteadyTime now);
    void file_found(const WatchTree& tree, const std::string& path, SteadyTime now);
    void restart(WatchTree& tree, SteadyTime now);
    void lose_root(WatchTree& tree, SteadyTime now);
    void request_rescan(const std::string& watch, SteadyTime now);

    EventSource& m_source;
    WdOwners m_owners; // declared before m_trees: trees release into it when destroyed
    std::vector<std::unique_ptr<WatchTree>> m_trees; ///< in configuration order
    Settler m_settler;
    std::map<std::string, SteadyTime> m_rescans; ///< watch → when the rescan was requested
};

} // namespace mv::watcher
