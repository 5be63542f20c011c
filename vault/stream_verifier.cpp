#include "vault/stream_verifier.hpp"

#include <cstring>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/escape.hpp"
#include "vault/archive_reader.hpp"
#include "vault/io_chunk.hpp"
#include "vault/sha256.hpp"

namespace mv::vault {

namespace {
constexpr std::size_t k_max_queued_bytes = 4u << 20;
}

StreamVerifier::StreamVerifier() : m_thread([this] { run(); }) {}

StreamVerifier::~StreamVerifier() {
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_gave_up = true;
        m_queue.clear();
        m_queued_bytes = 0;
    }
    m_changed.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

std::string StreamVerifier::push(const char* data, std::size_t size) {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_gave_up || m_queued_bytes < k_max_queued_bytes; });
    if (m_gave_up) {
        // The reader may end before the last bytes (tar's end blocks): only a problem counts.
        return m_result.problem;
    }
    m_queue.emplace_back(data, size);
    m_queued_bytes += size;
    lock.unlock();
    m_changed.notify_all();
    return {};
}

std::size_t StreamVerifier::pop(char* buffer, std::size_t size) {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return !m_queue.empty() || m_closed; });
    if (m_queue.empty()) {
        return 0; // closed: the end of the stream
    }
    std::string& front = m_queue.front();
    const std::size_t take = std::min(size, front.size() - m_front_offset);
    std::memcpy(buffer, front.data() + m_front_offset, take);
    m_front_offset += take;
    if (m_front_offset == front.size()) {
        m_queued_bytes -= front.size();
        m_queue.pop_front();
        m_front_offset = 0;
        lock.unlock();
        m_changed.notify_all();
    }
    return take;
}

void StreamVerifier::run() {
    Result result;
    try {
        ArchiveReader reader([this](char* buffer, std::size_t size) { return pop(buffer, size); },
                             "the archive being written");
        std::unique_ptr<char[]> buffer(new char[k_io_chunk]);
        while (auto member = reader.next()) {
            Sha256 sha;
            Digest digest;
            digest.regular = member->type == vault::Member::Type::regular;
            while (const std::size_t got = reader.read(buffer.get(), k_io_chunk)) {
                sha.update(buffer.get(), got);
                digest.size += got;
            }
            digest.sha256 = sha.hex_digest();
            // A name twice would hide one copy from the comparison by name.
            if (!result.members.emplace(member->path, std::move(digest)).second) {
                throw Error(
                    fmt::format("{} appears twice in the stream", escape_name(member->path)),
                    ErrorCode::corrupt);
            }
        }
        reader.finish();
    } catch (const std::exception& e) {
        result.problem = e.what();
    }
    std::lock_guard lock(m_mutex);
    m_result = std::move(result);
    m_gave_up = true; // anything still pushed is not looked at
    m_queue.clear();
    m_queued_bytes = 0;
    m_changed.notify_all();
}

StreamVerifier::Result StreamVerifier::finish() {
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
    }
    m_changed.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
    return std::move(m_result);
}

} // namespace mv::vault
