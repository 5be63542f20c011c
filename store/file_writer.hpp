#pragma once
// Storing one file: read once, front to back, cut along its layout (tensors at fixed
// offsets, the rest by content), every chunk named and stored through a WriteSession by
// a few worker threads, the whole file hashed on the way. Memory stays bounded whatever
// the file's size: at most `workers` + 2 chunks are held (read, and not yet both stored
// and hashed).

#include <array>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "store/digest.hpp"
#include "store/write_session.hpp"
#include "util/error.hpp"

namespace mv::store {

struct StoredChunk {
    ChunkId id;
    std::uint64_t size = 0;
    bool operator==(const StoredChunk&) const = default;
};

struct FileWriteOptions {
    unsigned workers = 2;                 ///< threads that name, compress and store chunks
    std::uint64_t queue_bytes = 8u << 20; ///< chunk bytes waiting for a worker, at most
};

struct FileWriteResult {
    std::vector<StoredChunk> chunks; ///< in file order
    std::array<std::uint8_t, 32> sha256{};
    std::string layout; ///< the layout the cuts followed ("safetensors", ...)
    std::uint64_t new_chunks = 0;
};

/// The file ended before the size it had when it was opened.
class InputTruncated : public Error {
public:
    explicit InputTruncated(std::string message)
        : Error(std::move(message), ErrorCode::cancelled) {}
};

/// Reads `size` bytes of `fd` (from offset 0) and stores them through `session`.
/// `progress` gets the bytes read so far. Throws InputTruncated when the file is shorter,
/// Error(cancelled) when `stop` is requested, Error for read and store failures (the
/// session then holds partial data: abandon it).
FileWriteResult write_file(int fd, std::uint64_t size, WriteSession& session,
                           const FileWriteOptions& options, const std::stop_token& stop,
                           const std::function<void(std::uint64_t)>& progress);

} // namespace mv::store
