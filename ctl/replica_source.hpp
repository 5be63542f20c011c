#pragma once
// Reading an off-site replica from modelvaultctl, without the daemon or the vault
// (docs/REPLICAS.md): `list --replica` and `restore --replica`.

#include <memory>
#include <string>
#include <vector>

#include "ctl/app.hpp"
#include "s3/client.hpp"
#include "vault/manifest.hpp"

namespace mv::ctl {

/// A client of replica `name` of the daemon's config file (global.config), with that
/// config's credentials file. Throws UsageError (no such config or replica) or Error.
std::unique_ptr<s3::Client> open_replica(const GlobalOptions& global, const std::string& name);

/// The versions on the replica (of `model`, or all), by model, oldest first; a manifest
/// that does not hash to its name or cannot be read is skipped with a warning.
std::vector<vault::Manifest> replica_versions(s3::Client& client, const std::string& model);

/// Writes the files of `manifest` (with chunk lists) from the replica into `target`,
/// each checked (vault::extract_verified). Returns the files written.
std::vector<std::filesystem::path> restore_from_replica(s3::Client& client,
                                                        const vault::Manifest& manifest,
                                                        const std::filesystem::path& target,
                                                        bool force);

} // namespace mv::ctl
