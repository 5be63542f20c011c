#pragma once
// From the `compression` settings (docs/CONFIG.md) to how the store compresses chunks.
// Format 2 compresses chunks with zstd only: `gzip` and `xz`, which named the archive's
// codec in format 1, are read as zstd at level 3 (the daemon says so when it starts).

#include <algorithm>
#include <string>
#include <thread>

#include "config/model.hpp"
#include "store/codec.hpp"

namespace mv::vault {

inline store::CodecSettings codec_settings_for(const config::Compression& compression) {
    store::CodecSettings settings;
    settings.level = compression.codec == config::Codec::zstd ? compression.level : 3;
    settings.mode = compression.codec == config::Codec::none ? store::CodecSettings::Mode::raw
                    : compression.byte_grouping              ? store::CodecSettings::Mode::automatic
                                                             : store::CodecSettings::Mode::zstd;
    return settings;
}

/// Threads that compress chunks: `threads`, or one per core when 0.
inline unsigned chunk_workers(const config::Compression& compression) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return compression.threads > 0 ? static_cast<unsigned>(compression.threads) : cores;
}

/// What a user who asked for a format-1 codec should know, or "" (logged at start and
/// on reload).
inline std::string codec_notice(const config::Compression& compression) {
    if (compression.codec != config::Codec::gzip && compression.codec != config::Codec::xz) {
        return {};
    }
    return std::string("compression.codec \"") + config::to_string(compression.codec) +
           "\" applied to format-1 archives; the vault stores chunks with zstd (level 3) "
           "instead. Set \"zstd\" (or \"none\") to choose";
}

/// The `storage.codec` a manifest records for these settings.
inline const char* storage_codec_name(const config::Compression& compression) {
    return compression.codec == config::Codec::none ? "none" : "zstd";
}

} // namespace mv::vault
