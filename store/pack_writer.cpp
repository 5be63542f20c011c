#include "store/pack_writer.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::store {

PackWriter::PackWriter(std::filesystem::path path, const Sealing& sealing)
    : m_path(std::move(path)), m_sealing(sealing) {
    m_fd.reset(::open(m_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    if (!m_fd) {
        throw Error(errno_message(fmt::format("cannot create {}", m_path.string()), errno),
                    code_for_errno(errno));
    }
    const auto lead = pack_lead(m_sealing.enabled());
    write(lead);
}

PackWriter::~PackWriter() {
    m_fd.reset();
    if (!m_released) {
        ::unlink(m_path.c_str());
    }
}

void PackWriter::write(std::span<const std::uint8_t> bytes) {
    value_or_throw(fs::write_all(m_fd.get(), bytes.data(), bytes.size(), m_path));
    m_sha.update(bytes.data(), bytes.size());
    m_size += bytes.size();
}

BlobEntry PackWriter::append(const ChunkId& id, BlobCodec codec,
                             std::span<const std::uint8_t> stored, std::uint32_t raw_length) {
    if (m_size + stored.size() > 0xffffffffu - (1u << 20)) {
        throw Error("internal error: a pack would exceed 4 GiB", ErrorCode::internal);
    }
    BlobEntry entry{id, codec, static_cast<std::uint32_t>(m_size),
                    static_cast<std::uint32_t>(stored.size()), raw_length};
    write(stored);
    m_entries.push_back(entry);
    return entry;
}

IndexedPack PackWriter::seal() {
    m_tail = encode_pack_tail(m_entries, m_sealing);
    write(m_tail);
    // Only a hint to start the write-back now: make_durable() is what waits and reports.
    ::sync_file_range(m_fd.get(), 0, 0, SYNC_FILE_RANGE_WRITE);
    return IndexedPack{Digest{m_sha.digest()}, m_size, m_entries};
}

void PackWriter::make_durable() {
    if (m_broken) {
        // Not retried: after a failed fsync Linux may have dropped the pages it could not write.
        throw Error(fmt::format("the pack {} could not be written to the disk", m_path.string()),
                    ErrorCode::io);
    }
    if (!m_fd) {
        return;
    }
    m_broken = true; // until both the fsync and the check below succeed
    value_or_throw(fs::sync_fd(m_fd.get(), m_path));
    // The tail as the disk returns it must be the tail written: a short or misplaced
    // write would otherwise only show when the pack is read.
    std::vector<std::uint8_t> check(m_tail.size());
    const ssize_t got =
        ::pread(m_fd.get(), check.data(), check.size(), static_cast<off_t>(m_size - m_tail.size()));
    if (got != static_cast<ssize_t>(m_tail.size()) || check != m_tail) {
        throw Error(fmt::format("the pack {} does not read back as written", m_path.string()),
                    ErrorCode::io);
    }
    m_fd.reset();
    m_broken = false;
}

IndexedPack PackWriter::finish() {
    IndexedPack sealed = seal();
    make_durable();
    return sealed;
}

} // namespace mv::store
