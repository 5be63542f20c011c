#pragma once
// Applying retention to one model (docs/CONFIG.md `retention`): the pure decision of retention/
// plus the vault's pointers as protections, and — unless it is a dry run — the removal of every
// version the decision drops.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "retention/policy.hpp"
#include "vault/vault.hpp"

namespace mv::daemon {

enum class DryRun { no, yes };

struct PruneReport {
    std::string model;
    bool has_policy = false;
    std::vector<retention::Decision> decisions; ///< newest first
    std::vector<std::string> removed;           ///< versions actually removed
    std::uint64_t reclaimed_bytes = 0;          ///< pack bytes freed (or to be freed)
    std::vector<std::string> errors;            ///< removals that failed
};

/// Decides retention for `model` under `policy` at `now`; with DryRun::no removes what the
/// decision drops. Never throws for a single failed removal (it is in `errors`).
PruneReport prune_model(vault::Vault& vault, const std::string& model,
                        const std::optional<config::RetentionPolicy>& policy, SystemTime now,
                        DryRun dry_run);

/// A one-line description of a policy ("keep last 3, daily 7, within 7d, tags pinned; at
/// most 50"), or "keep everything".
std::string describe_policy(const std::optional<config::RetentionPolicy>& policy);

} // namespace mv::daemon
