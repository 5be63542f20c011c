#include "ipc/framer.hpp"

#include <stdexcept>

namespace mv::ipc {

void LineFramer::push(std::string_view bytes, std::vector<UniqueFd> fds) {
    // Descriptors that came with no byte (a zero-length read) go with the next line.
    const std::size_t offset = m_buffer.size();
    for (auto& fd : fds) {
        m_fds.emplace_back(offset, std::move(fd));
    }
    m_buffer.append(bytes);
}

LineFramer::Status LineFramer::status() const {
    const std::size_t newline = m_buffer.find('\n');
    if (newline == std::string::npos) {
        return m_buffer.size() > m_max_line ? Status::overflow : Status::need_more;
    }
    return newline > m_max_line ? Status::overflow : Status::frame;
}

Frame LineFramer::take() {
    const std::size_t newline = m_buffer.find('\n');
    if (newline == std::string::npos || newline > m_max_line) {
        throw std::logic_error("LineFramer::take() without a whole line within the limit");
    }
    Frame frame;
    frame.line = m_buffer.substr(0, newline);
    m_buffer.erase(0, newline + 1);
    std::vector<std::pair<std::size_t, UniqueFd>> rest;
    for (auto& [offset, fd] : m_fds) {
        if (offset <= newline) {
            frame.fds.push_back(std::move(fd));
        } else {
            rest.emplace_back(offset - (newline + 1), std::move(fd));
        }
    }
    m_fds = std::move(rest);
    return frame;
}

} // namespace mv::ipc
