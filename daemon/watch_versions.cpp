#include "daemon/watch_versions.hpp"

namespace mv::daemon {

bool belongs_to_watch(const std::string& model, const std::string& watch) {
    return model == watch ||
           (model.size() > watch.size() && model.starts_with(watch) && model[watch.size()] == '/');
}

std::size_t count_models(const vault::Vault& vault, const std::string& watch) {
    std::size_t count = 0;
    for (const auto& model : vault.models()) {
        count += belongs_to_watch(model, watch) ? 1 : 0;
    }
    return count;
}

std::optional<vault::Manifest> newest_version(const vault::Vault& vault, const std::string& watch) {
    std::optional<vault::Manifest> newest;
    for (const auto& model : vault.models()) {
        if (!belongs_to_watch(model, watch)) {
            continue;
        }
        if (auto latest = vault.latest(model);
            latest && (!newest || latest->created > newest->created)) {
            newest = std::move(latest);
        }
    }
    return newest;
}

} // namespace mv::daemon
