// libFuzzer harness: the control protocol's line framer (ipc/framer.hpp), which both the
// daemon's sessions and the client run on bytes from the other side. The input is cut
// into reads: its first byte of each read gives the read's length and whether descriptors
// came with it. Checked after every read: frames hold no '\n', a frame's descriptors are
// exactly those that came with its bytes, overflow is reported exactly when a line
// outgrows the limit, and nothing is lost or invented (frames + buffer = input).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "ipc/framer.hpp"

namespace {

constexpr std::size_t k_max_line = 64; // small, so that overflows are found

void require(bool condition) {
    if (!condition) {
        std::abort();
    }
}

int null_fd() {
    static const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    mv::ipc::LineFramer framer(k_max_line);
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string fed;                     // every byte pushed so far
    std::string taken;                   // every frame taken, each with its '\n'
    std::vector<std::size_t> fd_offsets; // offset in `fed` of each read that carried fds
    std::size_t fds_pushed = 0;
    std::size_t fds_taken = 0;
    while (!input.empty()) {
        const auto control = static_cast<unsigned char>(input.front());
        input.remove_prefix(1);
        const std::size_t length = std::min<std::size_t>(control & 0x3f, input.size());
        std::vector<mv::UniqueFd> fds;
        for (unsigned i = 0; i < (control >> 6); ++i) {
            fds.emplace_back(::dup(null_fd()));
        }
        fds_pushed += fds.size();
        framer.push(input.substr(0, length), std::move(fds));
        fed.append(input.substr(0, length));
        input.remove_prefix(length);
        while (framer.status() == mv::ipc::LineFramer::Status::frame) {
            mv::ipc::Frame frame = framer.take();
            require(frame.line.find('\n') == std::string::npos);
            require(frame.line.size() <= k_max_line);
            taken += frame.line + '\n';
            fds_taken += frame.fds.size();
        }
        // Nothing lost or invented: what was taken plus what is buffered is what was fed.
        require(taken.size() + framer.buffered() == fed.size());
        require(fed.compare(0, taken.size(), taken) == 0);
        const std::string_view rest = std::string_view(fed).substr(taken.size());
        const bool too_long = rest.find('\n') == std::string_view::npos
                                  ? rest.size() > k_max_line
                                  : rest.find('\n') > k_max_line;
        require((framer.status() == mv::ipc::LineFramer::Status::overflow) == too_long);
        if (too_long) {
            break; // the session answers once and hangs up
        }
    }
    require(fds_taken <= fds_pushed);
    return 0;
}
