#include "replica/sync_plan.hpp"

namespace mv::replica {

SyncPlan plan_sync(const std::vector<VaultFile>& local, const RemoteListing& remote) {
    SyncPlan plan;
    for (const auto& file : local) {
        const auto found = remote.find(file.key);
        if (found != remote.end() && found->second == file.size) {
            continue;
        }
        plan.pending_bytes += file.size;
        switch (file.role) {
        case FileRole::data:
            plan.data.push_back(file);
            break;
        case FileRole::manifest:
            plan.manifests.push_back(file);
            ++plan.pending_versions;
            if (!plan.oldest_pending || file.modified < *plan.oldest_pending) {
                plan.oldest_pending = file.modified;
            }
            break;
        case FileRole::history:
            plan.histories.push_back(file);
            break;
        }
    }
    return plan;
}

} // namespace mv::replica
