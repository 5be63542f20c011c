#pragma once
// Settle detection, the pure part of the watcher: f(state, event, now). A model is ready
// `settle` after the last close-after-write or move-into-place, provided nothing opened for
// writing is still pending: an IN_MODIFY (a writer that re-opens to append, as h5py does)
// holds the model back until that file is closed again and the tree was quiet once more.
// Time is always passed in, so tests use synthetic time points and never sleep.

#include <compare>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "watcher/change.hpp"

namespace mv::watcher {

/// A model: (watch name, model path) as in Change.
struct ModelKey {
    std::string watch;
    std::string model;
    friend auto operator<=>(const ModelKey&, const ModelKey&) = default;
};

/// Pending models and their deadlines. `file` arguments name the file (relative to the
/// watch root) that the event was about; in layout files it is the model itself.
class Settler {
public:
    using Duration = config::Duration;

    /// `file` was closed after writing or moved into place: the model may settle at now+settle.
    void written(const ModelKey& key, std::string_view file, SteadyTime now, Duration settle);
    /// `file` was modified: the model waits for it to be closed, then for a quiet period.
    void modified(const ModelKey& key, std::string_view file, SteadyTime now, Duration settle);
    /// `file` (or a directory: everything below it) left a directory-layout model; that is a
    /// change too, so the model may settle at now+settle.
    void removed(const ModelKey& key, std::string_view file, SteadyTime now, Duration settle);
    /// Some other activity in the model: pushes the deadline back if the model is pending.
    void touched(const ModelKey& key, SteadyTime now, Duration settle);
    /// The model went away (layout files: deleted or moved out): forget it.
    void cancel(const ModelKey& key);
    /// Forgets every model of `watch` lying within the relative directory `dir`.
    void cancel_within(const std::string& watch, std::string_view dir);
    /// Forgets every model of `watch`.
    void forget_watch(const std::string& watch);

    /// Removes and returns the models that are ready at `now`, in key order.
    std::vector<ModelKey> take_ready(SteadyTime now);
    /// The earliest deadline of a model that can become ready without a further event.
    std::optional<SteadyTime> next_deadline() const;
    /// How many models of `watch` are pending.
    std::size_t pending(const std::string& watch) const;

private:
    struct Entry {
        SteadyTime deadline;
        bool armed = false;         ///< a close/move/delete has been seen
        std::set<std::string> open; ///< files modified and not closed since
        bool ready_at(SteadyTime now) const { return armed && open.empty() && now >= deadline; }
    };

    std::map<ModelKey, Entry> m_entries;
};

} // namespace mv::watcher
