#pragma once
// Which watches own each inotify watch descriptor. Two configured watches may overlap
// (/srv/models and /srv/models/pacman); the kernel then returns the same descriptor to
// both, so an event must reach both and the descriptor may only be removed by the last one.

#include <string>
#include <unordered_map>
#include <vector>

namespace mv::watcher {

class WdOwners {
public:
    /// Records that `watch` uses `wd` (idempotent).
    void add(int wd, const std::string& watch);
    /// Drops `watch`'s claim; true when no watch owns `wd` any more.
    bool remove(int wd, const std::string& watch);
    /// The watches that own `wd` (empty when unknown).
    std::vector<std::string> owners(int wd) const;

private:
    std::unordered_map<int, std::vector<std::string>> m_owners;
};

} // namespace mv::watcher
