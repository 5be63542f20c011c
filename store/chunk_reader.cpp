#include "store/chunk_reader.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::store {

namespace {

constexpr std::size_t k_open_packs = 16;

[[noreturn]] void corrupt(const ChunkId& id, const std::string& what) {
    throw Error(fmt::format("chunk {} {}", id.short_hex(), what), ErrorCode::corrupt);
}

} // namespace

ChunkReader::ChunkReader(const Store& store) : m_store(store) {}

int ChunkReader::pack_fd(const PackId& pack, bool reopen) {
    auto it = m_open.find(pack);
    if (it != m_open.end() && !reopen) {
        return it->second.get();
    }
    m_open.erase(pack);
    if (m_open.size() >= k_open_packs) {
        m_open.erase(m_open.begin());
    }
    auto fd = fs::open_for_reading(m_store.pack_path(pack), false);
    if (!fd) {
        return -1;
    }
    ::posix_fadvise(fd->get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    const int raw = fd->get();
    m_open[pack] = std::move(*fd);
    return raw;
}

// One stored copy into `out`; empty on success, else what is wrong with it.
std::string ChunkReader::read_copy(const ChunkId& id, const ChunkLocation& location,
                                   std::uint64_t size, ByteBuffer& out) {
    const IndexEntry& entry = location.entry;
    const std::string pack = location.pack.short_hex();
    if (entry.raw_length != size) {
        return fmt::format("is {} bytes in pack {}, the manifest says {}", entry.raw_length, pack,
                           size);
    }
    // A collection may move a chunk to a new pack and remove the old one between the
    // lookup and the open: the caller looks it up again then.
    const int fd = pack_fd(location.pack, false);
    if (fd < 0) {
        return fmt::format("cannot be read: pack {} is missing or unreadable", pack);
    }
    m_stored.resize(entry.stored_length);
    const ssize_t got =
        ::pread(fd, m_stored.data(), m_stored.size(), static_cast<off_t>(entry.offset));
    if (got != static_cast<ssize_t>(m_stored.size())) {
        return fmt::format("cannot be read from pack {}: {}", pack,
                           got < 0 ? std::strerror(errno) : "the pack is too short");
    }
    auto opened = m_store.sealing().open_blob(id, m_stored, m_unsealed);
    if (!opened) {
        return fmt::format("in pack {} {}", pack, opened.error());
    }
    out.resize(size);
    if (auto decoded = decode_chunk(*opened, entry.codec, out, m_codec); !decoded) {
        return fmt::format("in pack {} is damaged: {}", pack, decoded.error());
    }
    if (m_store.namer().name(out) != id) {
        return fmt::format("in pack {} is damaged: its bytes do not hash to its name", pack);
    }
    return {};
}

void ChunkReader::read(const ChunkId& id, std::uint64_t size, ByteBuffer& out) {
    std::string first_problem;
    for (int attempt = 0; attempt < 2; ++attempt) {
        const auto locations = m_store.locate_all(id);
        if (locations.empty()) {
            corrupt(id, first_problem.empty() ? "is missing: no pack holds it" : first_problem);
        }
        // Any intact copy will do; the first problem is the one reported.
        for (const auto& location : locations) {
            const std::string problem = read_copy(id, location, size, out);
            if (problem.empty()) {
                return;
            }
            if (first_problem.empty()) {
                first_problem = problem;
            }
            m_open.erase(location.pack); // reopened on the next attempt
        }
    }
    corrupt(id, first_problem);
}

std::string ChunkReader::check(const ChunkId& id, std::uint64_t size) {
    const auto location = m_store.locate(id);
    if (!location) {
        return fmt::format("chunk {} is missing: no pack holds it", id.short_hex());
    }
    if (location->entry.raw_length != size) {
        return fmt::format("chunk {} is {} bytes, the manifest says {}", id.short_hex(),
                           location->entry.raw_length, size);
    }
    auto known = m_sizes.find(location->pack);
    if (known == m_sizes.end()) {
        struct stat st {};
        const auto path = m_store.pack_path(location->pack);
        if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            return fmt::format("chunk {}: pack {} is missing", id.short_hex(),
                               location->pack.short_hex());
        }
        known = m_sizes.emplace(location->pack, static_cast<std::uint64_t>(st.st_size)).first;
    }
    if (known->second != location->pack_size) {
        return fmt::format("chunk {}: pack {} is {} bytes, the index says {}", id.short_hex(),
                           location->pack.short_hex(), known->second, location->pack_size);
    }
    return {};
}

} // namespace mv::store
