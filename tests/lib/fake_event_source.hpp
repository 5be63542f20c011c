#pragma once
// A scripted watcher::EventSource: tests queue the events the kernel would send and check
// which directories the Watcher asked to watch. Like inotify, adding a directory twice
// returns the same descriptor and removing one queues IN_IGNORED.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "watcher/event_source.hpp"

namespace mv::test {

class FakeEventSource final : public watcher::EventSource {
public:
    Result<int> add_watch(const std::filesystem::path& dir, std::uint32_t mask) override;
    void remove_watch(int wd) override;
    std::vector<watcher::RawEvent> read_events() override;
    int native_handle() const override { return -1; }

    /// Queues an event for the directory `dir` (which must be watched).
    void push(const std::filesystem::path& dir, std::uint32_t mask, std::string name = {});
    /// Queues an event as is (e.g. IN_Q_OVERFLOW with wd -1).
    void push(watcher::RawEvent event) { m_queue.push_back(std::move(event)); }
    /// Makes add_watch fail for `dir` with `message` until cleared with std::nullopt.
    void fail_add(const std::filesystem::path& dir, std::optional<std::string> message);

    /// The descriptor of `dir`, or -1 when it is not watched.
    int wd_of(const std::filesystem::path& dir) const;
    /// The directories currently watched, sorted.
    std::set<std::filesystem::path> watched() const;
    /// The mask of the last add_watch for `dir` (0 when never added).
    std::uint32_t mask_of(const std::filesystem::path& dir) const;

private:
    std::map<std::filesystem::path, int> m_wds;
    std::map<std::filesystem::path, std::uint32_t> m_masks;
    std::map<std::filesystem::path, std::string> m_failures;
    std::vector<watcher::RawEvent> m_queue;
    int m_next_wd = 1;
};

} // namespace mv::test
