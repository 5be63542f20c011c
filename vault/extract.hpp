#pragma once
// Verified extraction of a version's tar stream into a directory, with the rights of
// whoever runs it: modelvaultctl restoring as the calling user (docs/PROTOCOL.md,
// `restore`), or the daemon unpacking an archive being imported. Nothing lands in the
// target until every file's SHA-256 matched the manifest:
//   1. the manifest (given, or the stream's own manifest.json) is planned: every
//      destination is checked before anything is written;
//   2. every member is extracted to a temporary name next to its destination;
//   3. the embedded manifest, every member's hash and size, and (format 1) the archive's
//      own hash are checked;
//   4. only then are the files renamed into place (never replacing an existing file
//      unless `force`).
// Member names can never leave the target: absolute paths, "..", and links are refused,
// and no symlink inside the target is followed.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
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
    Manifest manifest; ///< the manifest the files were checked against
};

/// The user may not write to the target folder (code io).
class TargetNotWritable : public Error {
public:
    using Error::Error;
};

/// Called with the stream bytes consumed so far.
using ExtractProgress = std::function<void(std::uint64_t archive_bytes)>;
/// Called once the manifest is known, before any file is written.
using ManifestSeen = std::function<void(const Manifest& manifest)>;

/// Extracts the stream read from `archive` (owned; any compression libarchive reads) into
/// `target` (created when missing). With `expected`, the stream's manifest.json must
/// describe the same version and files; without, the stream's own manifest is used.
/// Throws Error: conflict (a file exists and overwrite is no), corrupt (any hash or
/// structure problem; names the file), io (the user may not write there; names the
/// folder — `forbidden` is only for what the daemon refuses). On
/// any failure nothing in `target` was replaced and temporary files are removed. The
/// messages say what happened, not what to do: restore and rollback each add their own
/// advice (TargetNotWritable, conflict).
ExtractResult extract_verified(UniqueFd archive, const std::optional<Manifest>& expected,
                               const std::filesystem::path& target, Overwrite overwrite,
                               const ExtractProgress& progress = {}, Members members = Members::all,
                               const ManifestSeen& seen = {});

} // namespace mv::vault
