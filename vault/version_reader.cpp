#include "vault/version_reader.hpp"

#include <deque>
#include <future>

#include <fmt/format.h>

#include "store/sha256.hpp"
#include "util/escape.hpp"

namespace mv::vault {

void VersionReader::read_file(const Manifest& manifest, const FileEntry& file, const FileSink& sink,
                              const std::stop_token& stop, FileHashCheck whole_file) {
    const auto fail = [&](const std::string& what) {
        throw Error(fmt::format("{} {}: {}: {}", manifest.model, manifest.version.to_string(),
                                escape_name(file.member()), what),
                    ErrorCode::corrupt);
    };
    if (file.chunks.size() != file.chunk_count) {
        fail("internal error: the manifest was loaded without its chunk lists");
    }
    const auto read_chunk = [&](std::size_t index) {
        const auto& chunk = file.chunks[index];
        m_readers[index % k_slots].read(chunk.id, chunk.size, m_chunks[index % k_slots]);
    };
    store::Sha256 sha;
    std::uint64_t size = 0;
    std::deque<std::future<void>> pending; // chunks being read, chunk i first
    std::size_t started = 0;
    for (std::size_t i = 0; i < file.chunks.size(); ++i) {
        if (stop.stop_requested()) {
            throw Error("reading abandoned: the daemon is stopping", ErrorCode::cancelled);
        }
        // Chunk i + k_ahead takes the slot of chunk i - 1, which the sink is done with.
        for (; started < file.chunks.size() && started <= i + k_ahead; ++started) {
            pending.push_back(std::async(std::launch::async, read_chunk, started));
        }
        try {
            pending.front().get();
        } catch (const Error& e) {
            fail(fmt::format("{} (bytes {}–{})", e.what(), size, size + file.chunks[i].size));
        }
        pending.pop_front();
        const auto& bytes = m_chunks[i % k_slots];
        if (whole_file == FileHashCheck::here) {
            sha.update(bytes.data(), bytes.size());
        }
        size += bytes.size();
        sink(bytes);
    }
    if (size != file.size ||
        (whole_file == FileHashCheck::here && sha.hex_digest() != file.sha256)) {
        fail("its chunks do not give back its SHA-256");
    }
}

std::vector<std::string> VersionReader::check_file(const FileEntry& file) {
    std::vector<std::string> problems;
    std::uint64_t total = 0;
    for (const auto& chunk : file.chunks) {
        if (std::string problem = m_readers[0].check(chunk.id, chunk.size); !problem.empty()) {
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
