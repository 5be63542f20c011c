#include "store/byte_cursor.hpp"

#include <fmt/format.h>

namespace mv::store::detail {

namespace {

constexpr std::uint64_t k_block = 64u << 10;

} // namespace

std::uint64_t load_le(const std::string& bytes, std::size_t at, int width) {
    std::uint64_t value = 0;
    for (int i = width - 1; i >= 0; --i) {
        value = (value << 8) | static_cast<std::uint8_t>(bytes[at + static_cast<std::size_t>(i)]);
    }
    return value;
}

Result<void> ByteCursor::fill(std::uint64_t size) {
    if (size > m_end - std::min(m_end, m_offset)) {
        return failure(fmt::format("{} bytes at {} run past the end", size, m_offset));
    }
    const std::uint64_t have_from = m_offset - std::min(m_offset, m_block_offset);
    if (m_offset >= m_block_offset && have_from + size <= m_block.size()) {
        return {};
    }
    const std::uint64_t want = std::min(std::max(size, k_block), m_end - m_offset);
    auto block = m_read(m_offset, static_cast<std::size_t>(want));
    if (!block) {
        return failure(block.error());
    }
    if (block->size() < size) {
        return failure(fmt::format("the file ends before offset {}", m_offset + size));
    }
    m_block = std::move(*block);
    m_block_offset = m_offset;
    return {};
}

Result<std::string> ByteCursor::bytes(std::uint64_t size) {
    if (size > (64u << 20)) {
        return failure("a field larger than 64 MiB");
    }
    if (auto ok = fill(size); !ok) {
        return failure(ok.error());
    }
    std::string out = m_block.substr(static_cast<std::size_t>(m_offset - m_block_offset),
                                     static_cast<std::size_t>(size));
    m_offset += size;
    return out;
}

Result<void> ByteCursor::skip(std::uint64_t size) {
    if (size > m_end - std::min(m_end, m_offset)) {
        return failure(fmt::format("skipping {} bytes at {} runs past the end", size, m_offset));
    }
    m_offset += size;
    return {};
}

Result<std::uint64_t> ByteCursor::little_endian(int width) {
    if (auto ok = fill(static_cast<std::uint64_t>(width)); !ok) {
        return failure(ok.error());
    }
    const std::uint64_t value =
        load_le(m_block, static_cast<std::size_t>(m_offset - m_block_offset), width);
    m_offset += static_cast<std::uint64_t>(width);
    return value;
}

} // namespace mv::store::detail
