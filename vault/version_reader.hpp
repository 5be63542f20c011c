#pragma once
// Reading a version's files back from the store: chunk by chunk in order, each chunk
// verified against its name, and at the end the file's size and SHA-256 against the
// manifest. Restore, export and `verify --read-data` all read through it.

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <stop_token>
#include <string>

#include "store/chunk_reader.hpp"
#include "vault/manifest.hpp"

namespace mv::vault {

/// Who checks a file's SHA-256 once its chunks (each checked against its name) are read:
/// this reader, or a client that checks it before keeping anything (modelvaultctl
/// restore), which saves the daemon a second SHA-256 pass over every byte.
enum class FileHashCheck { here, by_client };

/// Receives a file's bytes in order.
using FileSink = std::function<void(std::span<const std::uint8_t> bytes)>;

class VersionReader {
public:
    explicit VersionReader(const store::Store& store)
        : m_readers{store::ChunkReader(store), store::ChunkReader(store)} {}

    /// Passes the bytes of `file` (of version `manifest`, with chunk lists) to `sink`.
    /// Throws Error(corrupt) naming the model, version, file and chunk when a chunk is
    /// missing or damaged or the file's size or (with `whole_file` check) SHA-256
    /// differs; Error(cancelled) on `stop`.
    void read_file(const Manifest& manifest, const FileEntry& file, const FileSink& sink,
                   const std::stop_token& stop, FileHashCheck whole_file = FileHashCheck::here);
    /// Without reading data: what is wrong with the chunks of `file` (empty when nothing).
    std::vector<std::string> check_file(const FileEntry& file);

private:
    // Two readers and buffers: while the caller's thread hashes chunk i and hands it to
    // the sink, another thread reads, decodes and verifies chunk i + 1 (a restore was
    // one thread doing both in turn, with the client waiting on the pipe meanwhile).
    std::array<store::ChunkReader, 2> m_readers;
    std::array<store::ByteBuffer, 2> m_chunks;
};

} // namespace mv::vault
