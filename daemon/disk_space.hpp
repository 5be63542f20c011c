#pragma once
// Free space in the vault (docs/CONFIG.md, `warn_free_below`): whether a backup can fit
// before anything is written, and when the vault counts as low on space. The decisions
// are pure; free_bytes() asks the file system.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "daemon/fingerprints.hpp"

namespace mv::daemon {

/// What a version of files of these sizes may need in the vault at most: each file's
/// size plus 1/256 (zstd's worst case on data that does not compress is below that) and
/// 16 KiB of tar headers and padding, plus 1 MiB for the manifest and README.
std::uint64_t space_needed(const std::vector<std::uint64_t>& file_sizes);

/// nullopt when `needed` bytes fit in `free`; else the message of the failure, naming
/// the model, both sizes and what to do.
std::optional<std::string> room_problem(const std::string& model, std::uint64_t needed,
                                        std::uint64_t files_size, std::uint64_t free,
                                        const std::filesystem::path& vault);

/// Whether the vault is low on space now. It becomes low below `threshold` and stays low
/// until 5 % above it, so that a vault hovering at the line is not reported again and
/// again. Never low without a threshold.
bool disk_low_now(bool was_low, std::uint64_t free, std::optional<std::uint64_t> threshold);

/// Throws Error(io) with room_problem()'s message when a version of `files` might not fit
/// in the free space of `vault`'s file system.
void ensure_room(const std::string& model, const ModelFingerprint& files,
                 const std::filesystem::path& vault);

/// Bytes available to an unprivileged writer on the file system of `path` (f_bavail);
/// nullopt when it cannot be asked.
std::optional<std::uint64_t> free_bytes(const std::filesystem::path& path);

} // namespace mv::daemon
