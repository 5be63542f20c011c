#pragma once
// Internal to config/: `replicas`, the off-site copies of the vault in S3-compatible
// object storage (docs/CONFIG.md, "replicas"; docs/REPLICAS.md).

#include <filesystem>
#include <vector>

#include "config/detail/checker.hpp"
#include "config/detail/json_values.hpp"
#include "config/model.hpp"

namespace mv::config::detail {

/// `replicas`: an array of {name, s3: {endpoint, bucket, prefix, region,
/// credentials_file}, bandwidth, parallel}; names are unique.
void read_replicas(const Json& value, const KeyPath& path, Checker& checker,
                   const std::filesystem::path& base_dir, std::vector<Replica>& replicas);

} // namespace mv::config::detail
