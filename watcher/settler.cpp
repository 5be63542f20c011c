#include "watcher/settler.hpp"

#include <algorithm>
#include <iterator>

#include "watcher/filter.hpp"

namespace mv::watcher {

void Settler::written(const ModelKey& key, std::string_view file, SteadyTime now, Duration settle) {
    auto& entry = m_entries[key];
    entry.open.erase(std::string(file));
    entry.armed = true;
    entry.deadline = now + settle;
}

void Settler::modified(const ModelKey& key, std::string_view file, SteadyTime now,
                       Duration settle) {
    // An IN_MODIFY on its own (no entry yet) starts tracking the model but does not arm
    // it: only the close that follows says the writer is done.
    auto& entry = m_entries[key];
    entry.open.emplace(file);
    entry.deadline = now + settle;
}

void Settler::removed(const ModelKey& key, std::string_view file, SteadyTime now, Duration settle) {
    auto& entry = m_entries[key];
    // A deleted file or folder cannot be closed any more: stop waiting for it.
    std::erase_if(entry.open, [&](const std::string& open) { return is_within(open, file); });
    entry.armed = true;
    entry.deadline = now + settle;
}

void Settler::touched(const ModelKey& key, SteadyTime now, Duration settle) {
    if (auto it = m_entries.find(key); it != m_entries.end()) {
        it->second.deadline = std::max(it->second.deadline, now + settle);
    }
}

void Settler::cancel(const ModelKey& key) {
    m_entries.erase(key);
}

void Settler::cancel_within(const std::string& watch, std::string_view dir) {
    std::erase_if(m_entries, [&](const auto& item) {
        return item.first.watch == watch && is_within(item.first.model, dir);
    });
}

void Settler::forget_watch(const std::string& watch) {
    std::erase_if(m_entries, [&](const auto& item) { return item.first.watch == watch; });
}

std::vector<ModelKey> Settler::take_ready(SteadyTime now) {
    std::vector<ModelKey> ready;
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (it->second.ready_at(now)) {
            ready.push_back(it->first);
            it = m_entries.erase(it);
        } else {
            ++it;
        }
    }
    return ready;
}

std::optional<SteadyTime> Settler::next_deadline() const {
    std::optional<SteadyTime> earliest;
    for (const auto& [key, entry] : m_entries) {
        // A model waiting for a close has no deadline of its own: the close is an event.
        if (entry.armed && entry.open.empty() && (!earliest || entry.deadline < *earliest)) {
            earliest = entry.deadline;
        }
    }
    return earliest;
}

std::size_t Settler::pending(const std::string& watch) const {
    return static_cast<std::size_t>(
        std::count_if(m_entries.begin(), m_entries.end(),
                      [&](const auto& item) { return item.first.watch == watch; }));
}

} // namespace mv::watcher
