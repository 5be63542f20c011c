#pragma once
// Sequential reading of a version archive with libarchive, hashing every raw byte of the
// archive file on the way so that its SHA-256 comes out of the same pass. Used by
// verification and by modelvaultctl's restore.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>

#include "util/fd.hpp"
#include "vault/sha256.hpp"

struct archive;

namespace mv::vault {

/// One archive member's header.
struct Member {
    enum class Type { regular, directory, symlink, other };
    std::string path; ///< raw bytes as stored
    Type type = Type::regular;
    std::uint64_t size = 0;
    unsigned mode = 0;
    std::int64_t mtime_ns = 0;
};

/// Supplies archive bytes: fills up to `size` bytes of `buffer` and returns how many; 0 at
/// the end. May throw Error.
using ByteSource = std::function<std::size_t(char* buffer, std::size_t size)>;

class ArchiveReader {
public:
    /// Reads from `fd` (owned) from its current offset; `name` appears in error messages.
    /// Accepts tar in any compression libarchive knows; throws Error(corrupt) otherwise.
    ArchiveReader(UniqueFd fd, std::string name);
    /// Reads what `source` supplies (an archive being written, bytes in memory).
    ArchiveReader(ByteSource source, std::string name);
    ~ArchiveReader();
    ArchiveReader(const ArchiveReader&) = delete;
    ArchiveReader& operator=(const ArchiveReader&) = delete;

    /// The next member's header, or nullopt after the last one. Throws Error(corrupt).
    std::optional<Member> next();
    /// Reads up to `size` bytes of the current member; returns 0 at its end.
    std::size_t read(void* buffer, std::size_t size);
    /// Whether the whole archive's SHA-256 is computed (on by default). Only a format-1
    /// archive file has one to check; a version's stream does not, and hashing it would
    /// be a third SHA-256 pass over a restore's bytes. Call before reading.
    void hash_archive(bool on) { m_hash = on; }
    /// After next() returned nullopt: reads what libarchive left (trailing padding) and
    /// returns the archive file's total size and SHA-256 (empty when not hashed).
    std::pair<std::uint64_t, std::string> finish();
    /// Raw archive bytes consumed so far (for progress).
    std::uint64_t bytes_consumed() const { return m_consumed; }

private:
    static ssize_t on_read(struct archive*, void* self, const void** buffer);
    [[noreturn]] void fail(std::string_view what) const;

    void open_archive();
    std::size_t read_source(char* buffer, std::size_t size);

    UniqueFd m_fd;
    ByteSource m_source;
    std::string m_name;
    std::unique_ptr<struct archive, int (*)(struct archive*)> m_archive;
    std::unique_ptr<char[]> m_buffer;
    Sha256 m_sha;
    bool m_hash = true;
    std::uint64_t m_consumed = 0;
    bool m_at_end = false;
};

} // namespace mv::vault
