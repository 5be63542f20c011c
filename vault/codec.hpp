#pragma once
// Compression codecs for archives. Besides configuring libarchive's filter, each codec
// knows how to produce "padding": bytes that are a valid part of a compressed stream
// of that codec and decompress to nothing. The archive writer needs it to reserve room
// for manifest.json at the front of an archive whose content is written first
// (docs/FORMAT.md, "Why the manifest frame is padded").

#include <cstddef>
#include <string>

#include "config/model.hpp"
#include "util/expected.hpp"

struct archive;

namespace mv::vault {

/// ".tar.zst", ".tar.gz", ".tar.xz" or ".tar".
const char* archive_extension(config::Codec codec);

/// The number of compression threads `compression` asks for (0: one per CPU core).
int compression_threads(const config::Compression& compression);

/// Adds `compression`'s filter with its level and thread count to a libarchive writer.
Result<void> add_compression_filter(struct archive* writer, const config::Compression& compression);

/// An upper bound of the compressed size of `raw_size` bytes written as one stream
/// (exact for codec none).
std::size_t compressed_bound(config::Codec codec, std::size_t raw_size);

/// Smallest padding size a codec can produce (besides zero).
std::size_t minimum_padding(config::Codec codec);

/// `size` bytes that decompress to nothing: a zstd skippable frame, empty gzip members
/// carrying an extra field, or xz stream padding (zero bytes, size a multiple of 4).
/// `size` must be 0 or at least minimum_padding(codec); for xz a multiple of 4; for
/// none only 0.
Result<std::string> padding(config::Codec codec, std::size_t size);

/// Compresses `data` into one complete stream of `compression`'s codec (single-threaded).
Result<std::string> compress_stream(const config::Compression& compression, std::string_view data);

} // namespace mv::vault
