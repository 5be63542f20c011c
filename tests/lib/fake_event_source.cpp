#include "tests/lib/fake_event_source.hpp"

#include <stdexcept>
#include <sys/inotify.h>

namespace mv::test {

Result<int> FakeEventSource::add_watch(const std::filesystem::path& dir, std::uint32_t mask) {
    if (auto it = m_failures.find(dir); it != m_failures.end()) {
        return failure(it->second);
    }
    m_masks[dir] = mask;
    auto [it, inserted] = m_wds.try_emplace(dir, m_next_wd);
    if (inserted) {
        ++m_next_wd;
    }
    return it->second;
}

void FakeEventSource::remove_watch(int wd) {
    for (auto it = m_wds.begin(); it != m_wds.end(); ++it) {
        if (it->second == wd) {
            m_wds.erase(it);
            m_queue.push_back({wd, IN_IGNORED, 0, {}});
            return;
        }
    }
}

std::vector<watcher::RawEvent> FakeEventSource::read_events() {
    return std::exchange(m_queue, {});
}

void FakeEventSource::push(const std::filesystem::path& dir, std::uint32_t mask, std::string name) {
    const int wd = wd_of(dir);
    if (wd < 0) {
        throw std::logic_error("FakeEventSource: " + dir.string() + " is not watched");
    }
    m_queue.push_back({wd, mask, 0, std::move(name)});
}

void FakeEventSource::fail_add(const std::filesystem::path& dir,
                               std::optional<std::string> message) {
    if (message) {
        m_failures[dir] = std::move(*message);
    } else {
        m_failures.erase(dir);
    }
}

int FakeEventSource::wd_of(const std::filesystem::path& dir) const {
    const auto it = m_wds.find(dir);
    return it == m_wds.end() ? -1 : it->second;
}

std::set<std::filesystem::path> FakeEventSource::watched() const {
    std::set<std::filesystem::path> dirs;
    for (const auto& [dir, wd] : m_wds) {
        dirs.insert(dir);
    }
    return dirs;
}

std::uint32_t FakeEventSource::mask_of(const std::filesystem::path& dir) const {
    const auto it = m_masks.find(dir);
    return it == m_masks.end() ? 0 : it->second;
}

} // namespace mv::test
