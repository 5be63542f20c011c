#pragma once
// Verified extraction of a version archive into a directory, with the rights of whoever
// runs it: modelvaultctl restoring as the calling user (SPEC §7), or the daemon unpacking
// an archive being imported. Nothing lands in the target until every file's
// SHA-256 matched the manifest:
//   1. every member is extracted to a temporary name next to its destination;
//   2. the embedded manifest, every member's hash and size, and the archive's own hash
//      are checked against the manifest given;
//   3. only then are the files renamed into place (never replacing an existing file
//      unless `force`).
// Member names can never leave the target: absolute paths, "..", and links are refused,
// and no symlink inside the target is followed.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "util/fd.hpp"
#include "vault/manifest.hpp"

namespace mv::vault {

enum class Overwrite { no, yes };
/// Which stored files to extract: all of them, or only the model's own files (rollback
/// puts the model back; sidecars such as a shared config.json stay as they are).
enum class Members { all, model_only };

struct ExtractResult {
    std::vector<std::filesystem::path> files; ///< where the files now are
    std::uint64_t bytes = 0;
};

/// The user may not write to the target folder (code io).
class TargetNotWritable : public Error {
public:
    using Error::Error;
};

/// Called with the archive bytes consumed so far.
using ExtractProgress = std::function<void(std::uint64_t archive_bytes)>;

/// Extracts the archive read from `archive` (owned) into `target` (created when missing).
/// Throws Error: conflict (a file exists and overwrite is no), corrupt (any hash or
/// structure problem; names the file), io (the user may not write there; names the
/// folder — `forbidden` is only for what the daemon refuses). On
/// any failure nothing in `target` was replaced and temporary files are removed. The
/// messages say what happened, not what to do: restore and rollback each add their own
/// advice (TargetNotWritable, conflict).
ExtractResult extract_verified(UniqueFd archive, const Manifest& manifest,
                               const std::filesystem::path& target, Overwrite overwrite,
                               const ExtractProgress& progress = {},
                               Members members = Members::all);

} // namespace mv::vault
