#pragma once
// Sequential little-endian reads over a ReadAt, in blocks, for parsing file headers that
// can be far larger than what is worth reading at once (GGUF vocabularies, zip
// directories). Every read is bounds-checked; a short read is an error, not a crash.

#include <cstdint>
#include <string>

#include "store/layout.hpp"

namespace mv::store::detail {

class ByteCursor {
public:
    ByteCursor(const ReadAt& read, std::uint64_t offset, std::uint64_t end)
        : m_read(read), m_offset(offset), m_end(end) {}

    std::uint64_t offset() const { return m_offset; }
    /// Reads `size` bytes; fails past `end`.
    Result<std::string> bytes(std::uint64_t size);
    Result<std::uint64_t> u64() { return little_endian(8); }
    Result<std::uint64_t> u32() { return little_endian(4); }
    Result<std::uint64_t> u16() { return little_endian(2); }
    Result<std::uint64_t> u8() { return little_endian(1); }
    Result<void> skip(std::uint64_t size);

private:
    Result<std::uint64_t> little_endian(int width);
    Result<void> fill(std::uint64_t size);

    const ReadAt& m_read;
    std::uint64_t m_offset;
    std::uint64_t m_end;
    std::string m_block; ///< bytes read ahead, starting at m_block_offset
    std::uint64_t m_block_offset = 0;
};

/// Little-endian integer of `width` bytes at `at` in `bytes` (the caller checked bounds).
std::uint64_t load_le(const std::string& bytes, std::size_t at, int width);

} // namespace mv::store::detail
