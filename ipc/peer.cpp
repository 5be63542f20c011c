#include "ipc/peer.hpp"

#include <cerrno>
#include <sys/socket.h>

#include "util/error.hpp"

namespace mv::ipc {

Result<Peer> peer_of(int socket_fd) {
    struct ucred credentials {};
    socklen_t length = sizeof credentials;
    if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) {
        return failure(errno_message("cannot read the peer's credentials", errno));
    }
    return Peer{credentials.pid, credentials.uid, credentials.gid};
}

} // namespace mv::ipc
