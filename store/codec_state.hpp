#pragma once
// The inside of CodecContext, shared by codec.cpp and planes.cpp.

#include <cstdint>
#include <functional>
#include <span>
#include <zstd.h>

#include "store/byte_buffer.hpp"
#include "store/codec.hpp"

namespace mv::store {

struct CodecContext::State {
    ZSTD_CCtx* compressor = nullptr;       ///< whole chunks, at the configured level
    ZSTD_CCtx* plane_compressor = nullptr; ///< planes: entropy coding (see codec.cpp)
    ZSTD_DCtx* decompressor = nullptr;
    int level = 0;      ///< the level `compressor` is set to
    ByteBuffer planes;  ///< split values (decoding), one plane (encoding) or a piece of it
    ByteBuffer scratch; ///< a compressed sample, or a decompressed piece (checking)
};

namespace detail {

/// How many bytes check_chunk compares at a time: what it holds instead of the chunk.
constexpr std::size_t k_check_piece = 64u << 10;

/// Compresses `data` as one zstd frame with `compressor`, appended to `out`; returns the
/// frame's size, or 0 when zstd failed or the frame is not smaller than `data` (then
/// `out` is unchanged).
std::size_t append_zstd(std::span<const std::uint8_t> data, ZSTD_CCtx* compressor, ByteBuffer& out);
/// `state.compressor`, set to `level`.
ZSTD_CCtx* chunk_compressor(CodecContext::State& state, int level);

/// Decompresses one zstd frame into exactly `out.size()` bytes.
Result<void> zstd_exact(std::span<const std::uint8_t> frame, std::span<std::uint8_t> out,
                        CodecContext::State& state);

/// Decompresses one zstd frame of `size` bytes piece by piece, each piece handed to
/// `same(offset, piece)`; fails when the frame is damaged, has another size, or `same`
/// says a piece differs.
using SamePiece = std::function<bool(std::size_t, std::span<const std::uint8_t>)>;
Result<void> zstd_compare(std::span<const std::uint8_t> frame, std::size_t size,
                          const SamePiece& same, CodecContext::State& state);

/// Whether zstd is worth running on `data`: its first 64 KiB must shrink by 3 %.
bool compressible(std::span<const std::uint8_t> data, ZSTD_CCtx* compressor,
                  CodecContext::State& state);

/// Planes encoding of `chunk` (docs/FORMAT.md): header, prefix, planes, suffix.
void encode_planes(std::span<const std::uint8_t> chunk, std::size_t width, std::uint64_t prefix,
                   CodecContext::State& state, ByteBuffer& out);
Result<void> decode_planes(std::span<const std::uint8_t> stored, std::span<std::uint8_t> out,
                           CodecContext::State& state);
/// Whether `stored` decodes to `expected`, one plane piece at a time.
Result<void> check_planes(std::span<const std::uint8_t> stored,
                          std::span<const std::uint8_t> expected, CodecContext::State& state);

} // namespace detail

} // namespace mv::store
