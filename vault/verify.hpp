#pragma once
// Verification of a stored version against its manifest: every byte of the archive is
// read, the archive's own SHA-256 and every member's SHA-256 and size are compared with
// the manifest, and the embedded manifest.json must describe the same version.

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

#include "vault/archive_writer.hpp"
#include "vault/manifest.hpp"

namespace mv::vault {

struct VerifyResult {
    std::vector<std::string> problems; ///< empty when the version is intact
    std::uint64_t archive_size = 0;    ///< measured
    std::string archive_sha256;        ///< measured
    bool ok() const { return problems.empty(); }
};

/// Reads `archive` completely and compares it with `expected`. Checks the archive's size
/// and SHA-256 only when `expected.archive` records them (a sidecar does; the manifest of
/// an archive being written does not). Never throws for a damaged archive: the damage is
/// in `problems`, each naming the member. Throws Error(cancelled) when `stop` is requested.
VerifyResult verify_archive(const std::filesystem::path& archive, const Manifest& expected,
                            const std::stop_token& stop, const ProgressFn& progress = {});

} // namespace mv::vault
