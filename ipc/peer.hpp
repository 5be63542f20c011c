#pragma once
// Who is on the other end of a Unix socket, from the kernel (SO_PEERCRED).

#include <sys/types.h>

#include "util/expected.hpp"

namespace mv::ipc {

struct Peer {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;
};

/// SO_PEERCRED of a connected Unix socket.
Result<Peer> peer_of(int socket_fd);

} // namespace mv::ipc
