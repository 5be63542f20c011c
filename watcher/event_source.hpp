#pragma once
// Where file-system events come from: the kernel's inotify in production, a scripted fake
// in tests (tests/lib/fake_event_source.hpp). The Watcher only sees this interface, so its
// tree and settle logic can be driven one step at a time without a kernel.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "util/expected.hpp"

namespace mv::watcher {

/// One inotify event: `name` is the raw bytes of the entry inside the watched directory
/// (empty for events about the directory itself and for IN_Q_OVERFLOW, whose wd is -1).
struct RawEvent {
    int wd = -1;
    std::uint32_t mask = 0;
    std::uint32_t cookie = 0;
    std::string name;
};

/// A source of RawEvents with the semantics of inotify: adding a directory that is already
/// watched returns its existing descriptor; a removed or vanished directory reports IN_IGNORED.
class EventSource {
public:
    virtual ~EventSource() = default;
    /// Watches `dir` for `mask` (IN_* bits); the descriptor, or a message that says what to do.
    virtual Result<int> add_watch(const std::filesystem::path& dir, std::uint32_t mask) = 0;
    /// Stops watching `wd`; an unknown or already removed descriptor is ignored.
    virtual void remove_watch(int wd) = 0;
    /// The events queued so far, oldest first, without blocking (empty when none). A flood
    /// is returned in bounded batches: native_handle() stays readable while more remain.
    /// Throws mv::Error when the source itself fails.
    virtual std::vector<RawEvent> read_events() = 0;
    /// A descriptor that polls readable while events are queued; -1 when there is none.
    virtual int native_handle() const = 0;
};

/// inotify_init1(IN_NONBLOCK|IN_CLOEXEC); throws mv::Error whose message, for EMFILE/ENOSPC,
/// names the sysctls fs.inotify.max_user_instances / max_user_watches to raise.
std::unique_ptr<EventSource> make_inotify_source();

} // namespace mv::watcher
