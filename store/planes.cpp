// Byte grouping of floats (docs/FORMAT.md "Codecs", the planes codec).
#include <array>
#include <bit>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "store/codec_state.hpp"

namespace mv::store {

namespace {

constexpr std::size_t k_header = 12;
constexpr std::size_t k_plane_descriptor = 8;
constexpr std::uint8_t k_rotate_left_one = 1;
constexpr std::size_t k_max_width = 8;

void put_u32(ByteBuffer& out, std::size_t at, std::uint64_t value) {
    for (int i = 0; i < 4; ++i) {
        out[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (8 * i));
    }
}

std::uint32_t get_u32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

// Byte grouping runs at memory speed only vectorised, and GCC's cheap cost model (-O2)
// vectorises a loop only when it needs no remainder and no aliasing check: hence blocks of
// a fixed length, __restrict, and rotations and gathers written out (bench/README.md).
constexpr std::size_t k_block = 64;

template <typename Word>
Word rotate_left_one(Word word) {
    return static_cast<Word>(word << 1 | word >> (8 * sizeof(Word) - 1));
}

template <typename Word>
Word rotate_right_one(Word word) {
    return static_cast<Word>(word >> 1 | word << (8 * sizeof(Word) - 1));
}

// Byte `plane` of each rotated value.
template <typename Word>
void extract_words(const std::uint8_t* __restrict values, std::size_t count, std::size_t plane,
                   std::uint8_t* __restrict out) {
    const unsigned shift = static_cast<unsigned>(8 * plane);
    const auto byte_of = [&](std::size_t i) {
        Word word;
        std::memcpy(&word, values + i * sizeof(Word), sizeof(Word));
        return static_cast<std::uint8_t>(rotate_left_one(word) >> shift);
    };
    std::size_t i = 0;
    for (; i + k_block <= count; i += k_block) {
        for (std::size_t j = 0; j < k_block; ++j) {
            out[i + j] = byte_of(i + j);
        }
    }
    for (; i < count; ++i) {
        out[i] = byte_of(i);
    }
}

void extract_plane(const std::uint8_t* values, std::size_t count, std::size_t width,
                   std::size_t plane, std::uint8_t* out) {
    switch (width) {
    case 2:
        return extract_words<std::uint16_t>(values, count, plane, out);
    case 4:
        return extract_words<std::uint32_t>(values, count, plane, out);
    case 8:
        return extract_words<std::uint64_t>(values, count, plane, out);
    default:
        std::memcpy(out, values, count);
    }
}

// Value `i` from its bytes in each plane.
template <typename Word, std::size_t... Plane>
Word gather(const std::uint8_t* __restrict planes, std::size_t count, std::size_t i,
            std::index_sequence<Plane...>) {
    return static_cast<Word>(((static_cast<Word>(planes[Plane * count + i]) << (8 * Plane)) | ...));
}

template <typename Word>
void merge_words(const std::uint8_t* __restrict planes, std::size_t count,
                 std::uint8_t* __restrict values) {
    const auto merge = [&](std::size_t i) {
        const Word word = rotate_right_one(
            gather<Word>(planes, count, i, std::make_index_sequence<sizeof(Word)>{}));
        std::memcpy(values + i * sizeof(Word), &word, sizeof(Word));
    };
    std::size_t i = 0;
    for (; i + k_block <= count; i += k_block) {
        for (std::size_t j = 0; j < k_block; ++j) {
            merge(i + j);
        }
    }
    for (; i < count; ++i) {
        merge(i);
    }
}

struct StoredPlane {
    bool compressed = false;
    std::span<const std::uint8_t> bytes;
};

/// A planes blob taken apart, every length checked against the chunk's `size`.
struct PlanesView {
    std::size_t width = 0;
    std::size_t count = 0; ///< values, each `width` bytes
    std::span<const std::uint8_t> prefix;
    std::array<StoredPlane, k_max_width> planes{};
    std::span<const std::uint8_t> suffix;
};

Result<PlanesView> parse_planes(std::span<const std::uint8_t> stored, std::size_t size) {
    if (stored.size() < k_header) {
        return failure("planes: shorter than its header");
    }
    PlanesView view;
    view.width = stored[0];
    if ((view.width != 2 && view.width != 4 && view.width != 8) || stored[1] != k_rotate_left_one ||
        stored[2] != 0 || stored[3] != 0) {
        return failure(
            fmt::format("planes: unknown width {} or transform {}", view.width, stored[1]));
    }
    const std::uint64_t prefix = get_u32(stored.data() + 4);
    view.count = get_u32(stored.data() + 8);
    if (prefix > size || view.count > (size - prefix) / view.width ||
        size - prefix - view.count * view.width >= view.width) {
        return failure("planes: value count and prefix do not add up to the chunk's size");
    }
    std::size_t at = k_header + view.width * k_plane_descriptor;
    if (stored.size() < at + prefix) {
        return failure("planes: truncated");
    }
    view.prefix = stored.subspan(at, prefix);
    at += prefix;
    for (std::size_t b = 0; b < view.width; ++b) {
        const std::uint8_t* descriptor = stored.data() + k_header + b * k_plane_descriptor;
        const std::size_t length = get_u32(descriptor + 4);
        if (descriptor[0] > 1 || length > stored.size() - at) {
            return failure(fmt::format("planes: plane {} is damaged", b));
        }
        if (descriptor[0] == 0 && length != view.count) {
            return failure(
                fmt::format("planes: raw plane {} has {} bytes, not {}", b, length, view.count));
        }
        view.planes[b] = {descriptor[0] == 1, stored.subspan(at, length)};
        at += length;
    }
    if (stored.size() - at != size - prefix - view.count * view.width) {
        return failure("planes: the stored size does not match its planes");
    }
    view.suffix = stored.subspan(at);
    return view;
}

} // namespace

// The planes assume little-endian values, as every tensor format the layout reads stores.
static_assert(std::endian::native == std::endian::little, "byte grouping assumes little endian");

void split_planes(const std::uint8_t* values, std::size_t count, std::size_t width,
                  std::uint8_t* planes) {
    for (std::size_t b = 0; b < width; ++b) {
        extract_plane(values, count, width, b, planes + b * count);
    }
}

void merge_planes(const std::uint8_t* planes, std::size_t count, std::size_t width,
                  std::uint8_t* values) {
    switch (width) {
    case 2:
        return merge_words<std::uint16_t>(planes, count, values);
    case 4:
        return merge_words<std::uint32_t>(planes, count, values);
    case 8:
        return merge_words<std::uint64_t>(planes, count, values);
    default:
        std::memcpy(values, planes, count * width);
    }
}

namespace detail {

// One plane at a time: a backup holds a plane (a quarter of a float32 chunk) beside the
// chunk, not a second copy of it.
void encode_planes(std::span<const std::uint8_t> chunk, std::size_t width, std::uint64_t prefix,
                   CodecContext::State& state, ByteBuffer& out) {
    const std::size_t count = (chunk.size() - prefix) / width;
    const std::size_t suffix = chunk.size() - prefix - count * width;
    out.clear();
    out.reserve(k_header + width * k_plane_descriptor + chunk.size() + ZSTD_compressBound(count));
    out.resize(k_header + width * k_plane_descriptor);
    std::memset(out.data(), 0, out.size());
    out[0] = static_cast<std::uint8_t>(width);
    out[1] = k_rotate_left_one;
    put_u32(out, 4, prefix);
    put_u32(out, 8, count);
    append_bytes(out, chunk.first(prefix));
    state.planes.resize(count);
    const std::span<const std::uint8_t> plane(state.planes.data(), count);
    for (std::size_t b = 0; b < width; ++b) {
        extract_plane(chunk.data() + prefix, count, width, b, state.planes.data());
        std::size_t stored = 0;
        if (compressible(plane, state.plane_compressor, state)) {
            stored = append_zstd(plane, state.plane_compressor, out);
        }
        const std::size_t descriptor = k_header + b * k_plane_descriptor;
        out[descriptor] = stored > 0 ? 1 : 0;
        if (stored == 0) {
            append_bytes(out, plane);
            stored = count;
        }
        put_u32(out, descriptor + 4, stored);
    }
    append_bytes(out, chunk.last(suffix));
}

Result<void> decode_planes(std::span<const std::uint8_t> stored, std::span<std::uint8_t> out,
                           CodecContext::State& state) {
    auto view = parse_planes(stored, out.size());
    if (!view) {
        return failure(view.error());
    }
    const std::size_t count = view->count;
    std::memcpy(out.data(), view->prefix.data(), view->prefix.size());
    state.planes.resize(count * view->width);
    for (std::size_t b = 0; b < view->width; ++b) {
        const StoredPlane& plane = view->planes[b];
        const std::span<std::uint8_t> target(state.planes.data() + b * count, count);
        if (!plane.compressed) {
            std::memcpy(target.data(), plane.bytes.data(), count);
        } else if (auto ok = zstd_exact(plane.bytes, target, state); !ok) {
            return failure(fmt::format("planes: plane {}: {}", b, ok.error()));
        }
    }
    std::uint8_t* values = out.data() + view->prefix.size();
    merge_planes(state.planes.data(), count, view->width, values);
    std::memcpy(values + count * view->width, view->suffix.data(), view->suffix.size());
    return {};
}

Result<void> check_planes(std::span<const std::uint8_t> stored,
                          std::span<const std::uint8_t> expected, CodecContext::State& state) {
    auto view = parse_planes(stored, expected.size());
    if (!view) {
        return failure(view.error());
    }
    const std::size_t width = view->width;
    const std::uint8_t* values = expected.data() + view->prefix.size();
    if (std::memcmp(view->prefix.data(), expected.data(), view->prefix.size()) != 0 ||
        std::memcmp(view->suffix.data(), values + view->count * width, view->suffix.size()) != 0) {
        return failure("planes: the bytes before or after the values differ");
    }
    state.planes.resize(k_check_piece + 1); // zstd_compare's pieces: one byte more at most
    for (std::size_t b = 0; b < width; ++b) {
        // Piece [first, first + size) of plane b, as the expected values give it.
        const auto same = [&](std::size_t first, std::span<const std::uint8_t> piece) {
            extract_plane(values + first * width, piece.size(), width, b, state.planes.data());
            return std::memcmp(state.planes.data(), piece.data(), piece.size()) == 0;
        };
        const StoredPlane& plane = view->planes[b];
        if (plane.compressed) {
            if (auto ok = zstd_compare(plane.bytes, view->count, same, state); !ok) {
                return failure(fmt::format("planes: plane {}: {}", b, ok.error()));
            }
            continue;
        }
        for (std::size_t first = 0; first < view->count; first += k_check_piece) {
            if (!same(first,
                      plane.bytes.subspan(first, std::min(k_check_piece, view->count - first)))) {
                return failure(fmt::format("planes: plane {} differs from value {} on", b, first));
            }
        }
    }
    return {};
}

} // namespace detail

} // namespace mv::store
