#include "vault/archive_reader.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include "util/error.hpp"
#include "vault/io_chunk.hpp"

namespace mv::vault {

namespace {}

ArchiveReader::ArchiveReader(UniqueFd fd, std::string name)
    : m_fd(std::move(fd)), m_name(std::move(name)),
      m_archive(archive_read_new(), &archive_read_free), m_buffer(new char[k_io_chunk]) {
    open_archive();
}

ArchiveReader::ArchiveReader(ByteSource source, std::string name)
    : m_source(std::move(source)), m_name(std::move(name)),
      m_archive(archive_read_new(), &archive_read_free), m_buffer(new char[k_io_chunk]) {
    open_archive();
}

// Opening already reads: libarchive bids on the compression from the first bytes.
void ArchiveReader::open_archive() {
    struct archive* a = m_archive.get();
    if (archive_read_support_filter_all(a) != ARCHIVE_OK ||
        archive_read_support_format_tar(a) != ARCHIVE_OK ||
        archive_read_open2(a, this, nullptr, &ArchiveReader::on_read, nullptr, nullptr) !=
            ARCHIVE_OK) {
        fail("open");
    }
}

std::size_t ArchiveReader::read_source(char* buffer, std::size_t size) {
    if (m_source) {
        return m_source(buffer, size);
    }
    while (true) {
        const ssize_t got = ::read(m_fd.get(), buffer, size);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            throw Error(errno_message(fmt::format("{}: cannot read", m_name), errno),
                        ErrorCode::io);
        }
        return static_cast<std::size_t>(got);
    }
}

ArchiveReader::~ArchiveReader() = default;

ssize_t ArchiveReader::on_read(struct archive* a, void* self, const void** buffer) {
    auto* reader = static_cast<ArchiveReader*>(self);
    try {
        const std::size_t got = reader->read_source(reader->m_buffer.get(), k_io_chunk);
        if (reader->m_hash) {
            reader->m_sha.update(reader->m_buffer.get(), got);
        }
        reader->m_consumed += got;
        *buffer = reader->m_buffer.get();
        return static_cast<ssize_t>(got);
    } catch (const std::exception& e) {
        archive_set_error(a, EIO, "%s", e.what());
        return -1;
    }
}

void ArchiveReader::fail(std::string_view what) const {
    const char* reason = archive_error_string(m_archive.get());
    throw Error(fmt::format("{}: cannot {} the archive: {}", m_name, what,
                            reason ? reason : "unknown libarchive error"),
                ErrorCode::corrupt);
}

std::optional<Member> ArchiveReader::next() {
    if (m_at_end) {
        return std::nullopt;
    }
    struct archive_entry* entry = nullptr;
    const int status = archive_read_next_header(m_archive.get(), &entry);
    if (status == ARCHIVE_EOF) {
        m_at_end = true;
        return std::nullopt;
    }
    if (status < ARCHIVE_WARN) {
        fail("read");
    }
    Member member;
    const char* path = archive_entry_pathname(entry);
    member.path = path ? path : "";
    switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
        member.type = Member::Type::regular;
        break;
    case AE_IFDIR:
        member.type = Member::Type::directory;
        break;
    case AE_IFLNK:
        member.type = Member::Type::symlink;
        break;
    default:
        member.type = Member::Type::other;
        break;
    }
    if (archive_entry_hardlink(entry) != nullptr) {
        member.type = Member::Type::other;
    }
    member.size = static_cast<std::uint64_t>(archive_entry_size(entry));
    member.mode = archive_entry_perm(entry);
    member.mtime_ns = static_cast<std::int64_t>(archive_entry_mtime(entry)) * 1'000'000'000 +
                      archive_entry_mtime_nsec(entry);
    return member;
}

std::size_t ArchiveReader::read(void* buffer, std::size_t size) {
    const la_ssize_t got = archive_read_data(m_archive.get(), buffer, size);
    if (got < 0) {
        fail("read data from");
    }
    return static_cast<std::size_t>(got);
}

std::pair<std::uint64_t, std::string> ArchiveReader::finish() {
    while (next()) {
    }
    while (const std::size_t got = read_source(m_buffer.get(), k_io_chunk)) {
        if (m_hash) {
            m_sha.update(m_buffer.get(), got);
        }
        m_consumed += got;
    }
    return {m_consumed, m_hash ? m_sha.hex_digest() : std::string()};
}

} // namespace mv::vault
