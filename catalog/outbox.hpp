#pragma once
// The catalog's durable outbox (docs/catalog.md, "Delivery"): one file per event in
// VAULT/state/catalog/outbox/, written atomically before anyone is told it happened and
// removed only once the database committed it. It survives a restart and a SIGKILL, and
// it is not bounded: an outage of any length delays events but loses none. An event that
// cannot be delivered at all (its text is not an event) is set aside in rejected/ for an
// administrator, never dropped. Not thread-safe: its owner locks around it.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace mv::catalog {

class Outbox {
public:
    /// Opens `dir` (created if needed) and lists what is in it; temporary files of an
    /// interrupted write are removed. Throws Error(io) when it cannot be created or listed.
    explicit Outbox(std::filesystem::path dir);

    /// Stores `event` durably and returns its sequence number (after every other).
    /// Throws Error(io) when it cannot be written.
    std::uint64_t push(std::string_view event);
    /// The oldest waiting event's sequence number, if any.
    std::optional<std::uint64_t> front() const;
    /// The text of a waiting event. Throws Error(io) when it cannot be read.
    std::string read(std::uint64_t sequence) const;
    /// Forgets a delivered event and removes its file.
    void remove(std::uint64_t sequence);
    /// Moves an event that can never be delivered to rejected/.
    void set_aside(std::uint64_t sequence);

    /// Every waiting event, oldest first.
    const std::set<std::uint64_t>& waiting() const { return m_waiting; }
    std::size_t rejected() const { return m_rejected; }
    const std::filesystem::path& dir() const { return m_dir; }

private:
    std::filesystem::path file_of(std::uint64_t sequence) const;

    std::filesystem::path m_dir;
    std::set<std::uint64_t> m_waiting;
    std::uint64_t m_next = 1;
    std::size_t m_rejected = 0;
};

} // namespace mv::catalog
