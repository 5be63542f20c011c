#include "watcher/wd_owners.hpp"

#include <algorithm>

namespace mv::watcher {

void WdOwners::add(int wd, const std::string& watch) {
    auto& owners = m_owners[wd];
    if (std::find(owners.begin(), owners.end(), watch) == owners.end()) {
        owners.push_back(watch);
    }
}

bool WdOwners::remove(int wd, const std::string& watch) {
    const auto it = m_owners.find(wd);
    if (it == m_owners.end()) {
        return true;
    }
    std::erase(it->second, watch);
    if (it->second.empty()) {
        m_owners.erase(it);
        return true;
    }
    return false;
}

std::vector<std::string> WdOwners::owners(int wd) const {
    const auto it = m_owners.find(wd);
    return it == m_owners.end() ? std::vector<std::string>{} : it->second;
}

} // namespace mv::watcher
