#pragma once
// Writes one pack into a temporary file: blobs appended as they come, then the header
// and trailer; the pack's name is the SHA-256 of all its bytes, hashed while writing.
// Sealing and making durable are two steps, so that a backup's workers go on while the
// kernel writes a full pack out (ARCHITECTURE.md "Threads").
// The file is removed again unless release() was called (it was moved into place).

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "store/index_format.hpp"
#include "store/sha256.hpp"
#include "util/fd.hpp"

namespace mv::store {

class PackWriter {
public:
    /// Creates `path` (must not exist); the pack is an encrypted vault's when `sealing` is
    /// enabled (appended blobs must then be sealed already). Throws Error on I/O failure.
    PackWriter(std::filesystem::path path, const Sealing& sealing);
    ~PackWriter();
    PackWriter(const PackWriter&) = delete;
    PackWriter& operator=(const PackWriter&) = delete;

    /// Appends a blob and returns its entry. Throws Error(io) when the write fails
    /// (a full disk, ...).
    BlobEntry append(const ChunkId& id, BlobCodec codec, std::span<const std::uint8_t> stored,
                     std::uint32_t raw_length);
    /// Writes the header and trailer and asks the kernel to start writing the pack to the
    /// disk, without waiting. Returns the pack's name, size and blobs. The pack is not
    /// durable until make_durable().
    IndexedPack seal();
    /// Waits until the sealed pack is on the disk (fsync) and reads the tail back to check
    /// it landed where it belongs; then closes the file. Does nothing once it succeeded;
    /// once it failed, throws Error(io) again every time.
    void make_durable();
    /// seal() and make_durable().
    IndexedPack finish();

    std::uint64_t size() const { return m_size; }
    std::size_t blob_count() const { return m_entries.size(); }
    const std::filesystem::path& path() const { return m_path; }
    void release() { m_released = true; }

private:
    void write(std::span<const std::uint8_t> bytes);

    std::filesystem::path m_path;
    const Sealing& m_sealing;
    UniqueFd m_fd;
    Sha256 m_sha;
    std::uint64_t m_size = 0;
    std::vector<BlobEntry> m_entries;
    std::vector<std::uint8_t> m_tail; ///< written by seal(), checked by make_durable()
    bool m_broken = false;            ///< an fsync failed
    bool m_released = false;
};

} // namespace mv::store
