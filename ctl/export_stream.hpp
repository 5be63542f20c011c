#pragma once
// The heart of `export`: a version's tar stream, checked member by member against its
// manifest while the very same bytes are compressed with zstd into the output.

#include <cstdint>
#include <functional>

#include "util/fd.hpp"
#include "vault/manifest.hpp"

namespace mv::ctl {

struct ExportResult {
    vault::Manifest manifest;
    std::uint64_t bytes = 0;         ///< file bytes checked
    std::uint64_t archive_bytes = 0; ///< compressed bytes written
};

/// Reads the tar stream `stream` to its end, writes it zstd-compressed to `out`, and
/// checks that it holds manifest.json first, then exactly the manifest's files with their
/// sizes and SHA-256, and README.md. Throws Error(corrupt) naming what differs, Error(io)
/// when `out` cannot be written. `progress` gets file bytes done and the total.
ExportResult export_stream(UniqueFd stream, int out,
                           const std::function<void(std::uint64_t, std::uint64_t)>& progress);

} // namespace mv::ctl
