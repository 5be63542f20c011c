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
        : m_readers{store::ChunkReader(store), store::ChunkReader(store),
                    store::ChunkReader(store)} {}

    /// Passes the bytes of `file` (of version `manifest`, with chunk lists) to `sink`.
    /// Throws Error(corrupt) naming the model, version, file and chunk when a chunk is
    /// missing or damaged or the file's size or (with `whole_file` check) SHA-256
    /// differs; Error(cancelled) on `stop`.
    void read_file(const Manifest& manifest, const FileEntry& file, const FileSink& sink,
                   const std::stop_token& stop, FileHashCheck whole_file = FileHashCheck::here);
    /// Without reading data: what is wrong with the chunks of `file` (empty when nothing).
    std::vector<std::string> check_file(const FileEntry& file);

private:
    // While the caller's thread hashes chunk i and hands it to the sink, other threads
    // read, decode and verify chunks i + 1 and i + 2 (a restore was one thread doing it
    // all in turn, the client waiting on the pipe meanwhile; then one chunk ahead, where
    // decoding stayed the slowest stage). A reader and a buffer per chunk in flight.
    static constexpr std::size_t k_ahead = 2;
    static constexpr std::size_t k_slots = k_ahead + 1;
    std::array<store::ChunkReader, k_slots> m_readers;
    std::array<store::ByteBuffer, k_slots> m_chunks;
};

} // namespace mv::vault
