#include "catalog/outbox.hpp"

#include <charconv>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::catalog {

namespace {

namespace stdfs = std::filesystem;

constexpr std::size_t k_digits = 20;
constexpr std::size_t k_max_event_bytes = 1u << 30; // a sync of a very large vault

// The sequence number in "00000000000000000042.json"; nullopt for any other name.
std::optional<std::uint64_t> sequence_of(const std::string& name) {
    if (name.size() != k_digits + 5 || !name.ends_with(".json")) {
        return std::nullopt;
    }
    std::uint64_t sequence = 0;
    const auto [end, error] = std::from_chars(name.data(), name.data() + k_digits, sequence);
    if (error != std::errc() || end != name.data() + k_digits || sequence == 0) {
        return std::nullopt;
    }
    return sequence;
}

std::size_t count_files(const stdfs::path& dir) {
    std::error_code error;
    std::size_t count = 0;
    for (const auto& entry : stdfs::directory_iterator(dir, error)) {
        count += entry.is_regular_file(error) ? 1 : 0;
    }
    return count;
}

} // namespace

Outbox::Outbox(stdfs::path dir) : m_dir(std::move(dir)) {
    value_or_throw(fs::create_directories_durable(m_dir / "rejected"),
                   "catalog outbox: ", ErrorCode::io);
    std::error_code error;
    for (const auto& entry : stdfs::directory_iterator(m_dir, error)) {
        const std::string name = entry.path().filename().string();
        if (const auto sequence = sequence_of(name)) {
            m_waiting.insert(*sequence);
            m_next = std::max(m_next, *sequence + 1);
        } else if (name.starts_with('.')) {
            (void)fs::remove_durable(entry.path()); // a write a crash cut short
        } else if (name != "rejected") {
            spdlog::warn("catalog outbox: ignoring {}, which is not an event",
                         entry.path().string());
        }
    }
    if (error) {
        throw Error(errno_message("catalog outbox: cannot list " + m_dir.string(), error.value()),
                    ErrorCode::io);
    }
    m_rejected = count_files(m_dir / "rejected");
}

stdfs::path Outbox::file_of(std::uint64_t sequence) const {
    return m_dir / fmt::format("{:0{}}.json", sequence, k_digits);
}

std::uint64_t Outbox::push(std::string_view event) {
    const std::uint64_t sequence = m_next;
    value_or_throw(fs::write_file_atomic(file_of(sequence), event, m_dir, 0600),
                   "catalog outbox: ", ErrorCode::io);
    ++m_next;
    m_waiting.insert(sequence);
    return sequence;
}

std::optional<std::uint64_t> Outbox::front() const {
    if (m_waiting.empty()) {
        return std::nullopt;
    }
    return *m_waiting.begin();
}

std::string Outbox::read(std::uint64_t sequence) const {
    return value_or_throw(fs::read_file(file_of(sequence), k_max_event_bytes),
                          "catalog outbox: ", ErrorCode::io);
}

void Outbox::remove(std::uint64_t sequence) {
    if (auto removed = fs::remove_durable(file_of(sequence)); !removed) {
        throw Error("catalog outbox: " + removed.error(), ErrorCode::io);
    }
    m_waiting.erase(sequence);
}

void Outbox::set_aside(std::uint64_t sequence) {
    const stdfs::path file = file_of(sequence);
    value_or_throw(fs::rename_durable(file, m_dir / "rejected" / file.filename()),
                   "catalog outbox: ", ErrorCode::io);
    m_waiting.erase(sequence);
    ++m_rejected;
}

} // namespace mv::catalog
