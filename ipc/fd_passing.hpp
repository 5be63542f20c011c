#pragma once
// Sending and receiving bytes with descriptors over a Unix socket (sendmsg/recvmsg with
// SCM_RIGHTS), for both ends of the control socket: a request may carry files to import,
// an answer the pipe of a version's stream (docs/PROTOCOL.md).

#include <cstddef>
#include <span>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "util/fd.hpp"

namespace mv::ipc {

/// The most descriptors one message may carry, either way.
inline constexpr std::size_t k_max_passed_fds = 32;

struct Received {
    ssize_t bytes = 0;         ///< > 0 read, 0 the peer closed, < 0 failed (see error)
    int error = 0;             ///< errno when bytes < 0
    std::vector<UniqueFd> fds; ///< descriptors that came with the bytes (close-on-exec)
};

/// One recvmsg(2) into `buffer`, accepting up to `max_fds` (≤ k_max_passed_fds)
/// descriptors; more are discarded by the kernel. `flags` adds e.g. MSG_DONTWAIT.
Received receive_with_fds(int socket, std::span<char> buffer, std::size_t max_fds, int flags);

/// One sendmsg(2) of `bytes` with `fds` (≤ k_max_passed_fds) riding on the first byte.
/// Returns what sendmsg returns (bytes sent, or -1 with errno set); MSG_NOSIGNAL always.
ssize_t send_with_fds(int socket, std::string_view bytes, std::span<const int> fds, int flags);

} // namespace mv::ipc
