#pragma once
// A byte vector whose resize() leaves new bytes uninitialised. Buffers that are about to
// be filled by read() or a codec would otherwise be zeroed first: on a 1 GiB backup that
// memset alone cost more CPU than zstd (bench/README.md, "Where the time goes").

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

namespace mv::store {

template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
    template <typename U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };
    using std::allocator<T>::allocator;

    template <typename U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U; // default-initialised: no zeroing for bytes
    }
    template <typename U, typename... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

using ByteBuffer = std::vector<std::uint8_t, DefaultInitAllocator<std::uint8_t>>;

/// Appends `bytes` with one memcpy: insert() and assign() construct byte by byte under
/// this allocator (a tenth of the time of encoding a float chunk, bench/README.md).
inline void append_bytes(ByteBuffer& buffer, std::span<const std::uint8_t> bytes) {
    const std::size_t at = buffer.size();
    buffer.resize(at + bytes.size());
    if (!bytes.empty()) {
        std::memcpy(buffer.data() + at, bytes.data(), bytes.size());
    }
}

} // namespace mv::store
