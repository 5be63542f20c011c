#pragma once
// Reading a version's files back from the store: chunk by chunk in order, each chunk
// verified against its name, and at the end the file's size and SHA-256 against the
// manifest. Restore, export and `verify --read-data` all read through it.

#include <cstdint>
#include <functional>
#include <span>
#include <stop_token>
#include <string>

#include "store/chunk_reader.hpp"
#include "vault/manifest.hpp"

namespace mv::vault {

/// Receives a file's bytes in order.
using FileSink = std::function<void(std::span<const std::uint8_t> bytes)>;

class VersionReader {
public:
    explicit VersionReader(const store::Store& store) : m_reader(store) {}

    /// Passes the bytes of `file` (of version `manifest`, with chunk lists) to `sink`.
    /// Throws Error(corrupt) naming the model, version, file and chunk when a chunk is
    /// missing or damaged or the file's SHA-256 differs; Error(cancelled) on `stop`.
    void read_file(const Manifest& manifest, const FileEntry& file, const FileSink& sink,
                   const std::stop_token& stop);
    /// Without reading data: what is wrong with the chunks of `file` (empty when nothing).
    std::vector<std::string> check_file(const FileEntry& file);

private:
    store::ChunkReader m_reader;
    std::vector<std::uint8_t> m_chunk;
};

} // namespace mv::vault
