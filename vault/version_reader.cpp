#include "vault/version_reader.hpp"

#include <fmt/format.h>

#include "store/sha256.hpp"
#include "util/escape.hpp"

namespace mv::vault {

void VersionReader::read_file(const Manifest& manifest, const FileEntry& file, const FileSink& sink,
                              const std::stop_token& stop) {
    const auto fail = [&](const std::string& what) {
        throw Error(fmt::format("{} {}: {}: {}", manifest.model, manifest.version.to_string(),
                                escape_name(file.member()), what),
                    ErrorCode::corrupt);
    };
    if (file.chunks.size() != file.chunk_count) {
        fail("internal error: the manifest was loaded without its chunk lists");
    }
    store::Sha256 sha;
    std::uint64_t size = 0;
    for (const auto& chunk : file.chunks) {
        if (stop.stop_requested()) {
            throw Error("reading abandoned: the daemon is stopping", ErrorCode::cancelled);
        }
        try {
            m_reader.read(chunk.id, chunk.size, m_chunk);
        } catch (const Error& e) {
            fail(fmt::format("{} (bytes {}–{})", e.what(), size, size + chunk.size));
        }
        sha.update(m_chunk.data(), m_chunk.size());
        size += m_chunk.size();
        sink(m_chunk);
    }
    if (size != file.size || sha.hex_digest() != file.sha256) {
        fail("its chunks do not give back its SHA-256");
    }
}

std::vector<std::string> VersionReader::check_file(const FileEntry& file) {
    std::vector<std::string> problems;
    std::uint64_t total = 0;
    for (const auto& chunk : file.chunks) {
        if (std::string problem = m_reader.check(chunk.id, chunk.size); !problem.empty()) {
            problems.push_back(fmt::format("{}: {} (bytes {}–{})", escape_name(file.member()),
                                           problem, total, total + chunk.size));
        }
        total += chunk.size;
    }
    if (total != file.size) {
        problems.push_back(fmt::format("{}: its chunks add up to {} bytes, not {}",
                                       escape_name(file.member()), total, file.size));
    }
    return problems;
}

} // namespace mv::vault
