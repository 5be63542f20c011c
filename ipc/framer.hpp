#pragma once
// The one line framer of the control protocol (docs/PROTOCOL.md), used by the server's
// sessions and by the client: bytes and the descriptors that arrived with them go in;
// newline-terminated frames, each with the descriptors its bytes carried, come out. Pure:
// no socket, no I/O, so it is tested and fuzzed on its own (tests/fuzz/fuzz_framer.cpp).

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/fd.hpp"

namespace mv::ipc {

/// One line without its '\n', and the descriptors that arrived with its bytes.
struct Frame {
    std::string line;
    std::vector<UniqueFd> fds;
};

class LineFramer {
public:
    /// `max_line`: the longest line (without '\n') it accepts.
    explicit LineFramer(std::size_t max_line) : m_max_line(max_line) {}

    /// Appends received bytes. `fds` arrived with them: they belong to the frame that holds
    /// the first of these bytes (SCM_RIGHTS rides on the first byte of a sendmsg).
    void push(std::string_view bytes, std::vector<UniqueFd> fds = {});

    /// What the buffer holds now.
    enum class Status {
        frame,     ///< a whole line: take it with take()
        need_more, ///< part of a line, within the limit
        overflow,  ///< a line longer than max_line: the stream cannot be resynchronised
    };
    Status status() const;

    /// The next whole line and its descriptors; only when status() is frame.
    Frame take();

    /// Bytes buffered and not yet taken.
    std::size_t buffered() const { return m_buffer.size(); }

private:
    std::size_t m_max_line;
    std::string m_buffer;
    std::vector<std::pair<std::size_t, UniqueFd>> m_fds; ///< buffer offset of the carrying byte
};

} // namespace mv::ipc
