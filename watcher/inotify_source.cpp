#include <array>
#include <cerrno>
#include <cstring>
#include <sys/inotify.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/fd.hpp"
#include "watcher/event_source.hpp"

namespace mv::watcher {

namespace {

// The kernel's limits are the usual reason inotify fails on a busy machine; the message
// must tell the administrator which knob to turn, not just quote strerror.
std::string limit_advice(int error) {
    switch (error) {
    case EMFILE:
        return ": too many inotify instances for this user; raise the sysctl "
               "fs.inotify.max_user_instances (e.g. sysctl -w fs.inotify.max_user_instances=1024)";
    case ENOSPC:
        return ": the inotify watch limit is reached; raise the sysctl "
               "fs.inotify.max_user_watches (e.g. sysctl -w fs.inotify.max_user_watches=1048576)";
    case ENOMEM:
        return ": the kernel is out of memory for inotify watches";
    case EACCES:
        return ": grant the daemon's user read and execute permission on it";
    default:
        return {};
    }
}

// 64 reads of 64 KiB: far more than a normal burst, still a bounded amount of work.
constexpr int k_max_reads_per_call = 64;

class InotifySource final : public EventSource {
public:
    explicit InotifySource(UniqueFd fd) : m_fd(std::move(fd)) {}

    Result<int> add_watch(const std::filesystem::path& dir, std::uint32_t mask) override {
        const int wd = ::inotify_add_watch(m_fd.get(), dir.c_str(), mask);
        if (wd < 0) {
            const int error = errno;
            return failure(
                errno_message(fmt::format("cannot watch {}", escape_name(dir.native())), error) +
                limit_advice(error));
        }
        return wd;
    }

    void remove_watch(int wd) override {
        // EINVAL here only means the kernel already dropped it (directory deleted).
        ::inotify_rm_watch(m_fd.get(), wd);
    }

    std::vector<RawEvent> read_events() override {
        std::vector<RawEvent> events;
        // Bounded so that a writer flooding the queue cannot starve the caller's loop; the
        // descriptor stays readable while events remain, so the caller comes back for them.
        for (int reads = 0; reads < k_max_reads_per_call; ++reads) {
            const ssize_t got = ::read(m_fd.get(), m_buffer.data(), m_buffer.size());
            if (got < 0) {
                if (errno == EINTR) {
                    continue;
                }
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    return events;
                }
                throw Error(errno_message("cannot read inotify events", errno), ErrorCode::io);
            }
            if (got == 0) {
                return events;
            }
            parse(static_cast<std::size_t>(got), events);
        }
        return events;
    }

    int native_handle() const override { return m_fd.get(); }

private:
    void parse(std::size_t size, std::vector<RawEvent>& events) const {
        std::size_t offset = 0;
        while (offset + sizeof(inotify_event) <= size) {
            // memcpy, not a cast: the buffer holds packed records of varying length.
            inotify_event header{};
            std::memcpy(&header, m_buffer.data() + offset, sizeof(header));
            const char* name = m_buffer.data() + offset + sizeof(header);
            RawEvent event{header.wd, header.mask, header.cookie, {}};
            if (header.len > 0) {
                // The name is NUL-padded to an alignment boundary.
                event.name.assign(name, ::strnlen(name, header.len));
            }
            events.push_back(std::move(event));
            offset += sizeof(header) + header.len;
        }
    }

    UniqueFd m_fd;
    // Large enough for hundreds of events per read(2), which keeps a burst cheap.
    std::array<char, 64 * 1024> m_buffer{};
};

} // namespace

std::unique_ptr<EventSource> make_inotify_source() {
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        const int error = errno;
        throw Error(errno_message("cannot create an inotify instance", error) + limit_advice(error),
                    code_for_errno(error));
    }
    return std::make_unique<InotifySource>(UniqueFd(fd));
}

} // namespace mv::watcher
