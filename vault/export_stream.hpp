#pragma once
// The heart of an export (`modelvaultctl export`, and `GET …/export` over HTTP): a
// version's tar stream, checked member by member against its manifest while the very same
// bytes are compressed with zstd into the output — so both give the same bytes. The same
// checks serve `verify --signatures` on an exported archive.

#include <cstdint>
#include <functional>
#include <string>

#include "util/expected.hpp"
#include "util/fd.hpp"
#include "vault/archive_reader.hpp"
#include "vault/manifest.hpp"

namespace mv::vault {

using ByteProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct ExportResult {
    Manifest manifest;
    std::string manifest_text;       ///< manifest.json as it is in the archive
    std::string signature;           ///< signature.json (docs/FORMAT.md); empty: none
    std::uint64_t bytes = 0;         ///< file bytes checked
    std::uint64_t archive_bytes = 0; ///< compressed bytes written
};

/// Reads a version archive from `reader` to its end and checks that it holds
/// manifest.json first, an optional signature.json, then exactly the manifest's files
/// with their sizes and SHA-256, and README.md. The failure names what differs; read
/// errors throw Error.
Result<ExportResult> check_version_archive(ArchiveReader& reader,
                                           const ByteProgress& progress = {});

/// Reads the tar stream `stream` to its end, writes it zstd-compressed to `out`, and
/// checks it (check_version_archive()). Throws Error(corrupt) naming what differs,
/// Error(io) when `out` cannot be written. `progress` gets file bytes done and the total.
ExportResult export_stream(UniqueFd stream, int out, const ByteProgress& progress);

} // namespace mv::vault
