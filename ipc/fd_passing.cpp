#include "ipc/fd_passing.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace mv::ipc {

namespace {

// Room for the control message of k_max_passed_fds descriptors, aligned for cmsghdr.
union ControlBuffer {
    struct cmsghdr align;
    char bytes[CMSG_SPACE(sizeof(int) * k_max_passed_fds)];
};

} // namespace

Received receive_with_fds(int socket, std::span<char> buffer, std::size_t max_fds, int flags) {
    struct iovec vector {
        buffer.data(), buffer.size()
    };
    ControlBuffer control{};
    struct msghdr message {};
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control.bytes;
    message.msg_controllen = CMSG_SPACE(sizeof(int) * std::min(max_fds, k_max_passed_fds));
    Received received;
    received.bytes = ::recvmsg(socket, &message, flags | MSG_CMSG_CLOEXEC);
    if (received.bytes < 0) {
        received.error = errno;
        return received;
    }
    for (struct cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
         header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
            const std::size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (std::size_t i = 0; i < count; ++i) {
                int fd = -1;
                std::memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof fd);
                received.fds.emplace_back(fd);
            }
        }
    }
    return received;
}

ssize_t send_with_fds(int socket, std::string_view bytes, std::span<const int> fds, int flags) {
    if (fds.size() > k_max_passed_fds) {
        errno = EINVAL;
        return -1;
    }
    struct iovec data {
        const_cast<char*>(bytes.data()), bytes.size()
    };
    ControlBuffer control{};
    struct msghdr message {};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    if (!fds.empty()) {
        message.msg_control = control.bytes;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        struct cmsghdr* header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(header), fds.data(), sizeof(int) * fds.size());
    }
    return ::sendmsg(socket, &message, flags | MSG_NOSIGNAL);
}

} // namespace mv::ipc
