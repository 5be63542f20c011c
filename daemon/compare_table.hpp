#pragma once
// The table of `modelvaultctl compare A B [C…]` (docs/PROTOCOL.md, "compare"): one row
// per parameter, metric, compat value and property of N versions, and whether the
// versions differ there. Pure: manifests in, rows out.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vault/manifest.hpp"

namespace mv::daemon {

struct CompareRow {
    std::string section; ///< "version", "params", "metrics" or "compat"
    std::string key;     ///< a.b.c for nested params and metrics, the pointer for compat
    std::vector<nlohmann::json> values; ///< one per version, null where it has none
    bool differs = false;               ///< not every value is the same
};

/// Every row of the comparison: the versions' trigger, size, stored bytes, files and tags,
/// then each key any version has in params, metrics and compat (sorted within a section).
std::vector<CompareRow> compare_rows(const std::vector<vault::Manifest>& manifests,
                                     const std::vector<std::vector<std::string>>& tags);

/// The bytes of the chunks every one of `manifests` references (their chunk lists loaded):
/// what the versions share in the store, counted once.
std::uint64_t bytes_shared_by_all(const std::vector<vault::Manifest>& manifests);

} // namespace mv::daemon
