#pragma once
// Verification of a stored version (docs/FORMAT.md "Verification"), like restic's check:
// the structure (the manifest is intact, every chunk it names is indexed and its pack is
// there) by default, and with read_data every chunk read back and every file re-hashed.

#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "vault/manifest.hpp"
#include "vault/source_file.hpp"

namespace mv::vault {

enum class VerifyDepth { structure, read_data };

struct VerifyResult {
    std::vector<std::string> problems; ///< empty when the version is intact; each names a file
    std::uint64_t bytes_read = 0;      ///< file bytes re-read (read_data)
    bool ok() const { return problems.empty(); }
};

/// Verifies `manifest` (loaded with its chunk lists) against `store`. Never throws for
/// damage; Error(cancelled) on `stop`. `progress` gets the file bytes read so far.
VerifyResult verify_version(const store::Store& store, const Manifest& manifest, VerifyDepth depth,
                            const std::stop_token& stop, const ProgressFn& progress = {});

} // namespace mv::vault
