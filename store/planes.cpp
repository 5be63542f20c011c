// Byte grouping of floats (docs/FORMAT.md "Codecs", the planes codec).
#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "store/codec_state.hpp"

namespace mv::store {

namespace {

constexpr std::size_t k_header = 12;
constexpr std::size_t k_plane_descriptor = 8;
constexpr std::uint8_t k_rotate_left_one = 1;

void put_u32(std::vector<std::uint8_t>& out, std::size_t at, std::uint64_t value) {
    for (int i = 0; i < 4; ++i) {
        out[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (8 * i));
    }
}

std::uint32_t get_u32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

template <typename Word>
void split_words(const std::uint8_t* values, std::size_t count, std::uint8_t* planes) {
    constexpr std::size_t width = sizeof(Word);
    for (std::size_t i = 0; i < count; ++i) {
        Word word;
        std::memcpy(&word, values + i * width, width);
        word = std::rotl(word, 1);
        for (std::size_t b = 0; b < width; ++b) {
            planes[b * count + i] = static_cast<std::uint8_t>(word >> (8 * b));
        }
    }
}

template <typename Word>
void merge_words(const std::uint8_t* planes, std::size_t count, std::uint8_t* values) {
    constexpr std::size_t width = sizeof(Word);
    for (std::size_t i = 0; i < count; ++i) {
        Word word = 0;
        for (std::size_t b = 0; b < width; ++b) {
            word = static_cast<Word>(word | static_cast<Word>(planes[b * count + i]) << (8 * b));
        }
        word = std::rotr(word, 1);
        std::memcpy(values + i * width, &word, width);
    }
}

} // namespace

// The planes assume little-endian values, as every tensor format the layout reads stores.
static_assert(std::endian::native == std::endian::little, "byte grouping assumes little endian");

void split_planes(const std::uint8_t* values, std::size_t count, std::size_t width,
                  std::uint8_t* planes) {
    switch (width) {
    case 2:
        return split_words<std::uint16_t>(values, count, planes);
    case 4:
        return split_words<std::uint32_t>(values, count, planes);
    case 8:
        return split_words<std::uint64_t>(values, count, planes);
    default:
        std::memcpy(planes, values, count * width);
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

void encode_planes(std::span<const std::uint8_t> chunk, std::size_t width, std::uint64_t prefix,
                   CodecContext::State& state, std::vector<std::uint8_t>& out) {
    const std::size_t count = (chunk.size() - prefix) / width;
    const std::size_t suffix = chunk.size() - prefix - count * width;
    state.planes.resize(count * width);
    split_planes(chunk.data() + prefix, count, width, state.planes.data());
    out.assign(k_header + width * k_plane_descriptor, 0);
    out[0] = static_cast<std::uint8_t>(width);
    out[1] = k_rotate_left_one;
    put_u32(out, 4, prefix);
    put_u32(out, 8, count);
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(prefix));
    for (std::size_t b = 0; b < width; ++b) {
        const std::span<const std::uint8_t> plane(state.planes.data() + b * count, count);
        std::size_t stored = 0;
        if (compressible(plane, state.plane_compressor, state)) {
            stored = append_zstd(plane, state.plane_compressor, state, out);
        }
        const std::size_t descriptor = k_header + b * k_plane_descriptor;
        out[descriptor] = stored > 0 ? 1 : 0;
        if (stored == 0) {
            out.insert(out.end(), plane.begin(), plane.end());
            stored = count;
        }
        put_u32(out, descriptor + 4, stored);
    }
    out.insert(out.end(), chunk.end() - static_cast<std::ptrdiff_t>(suffix), chunk.end());
}

Result<void> decode_planes(std::span<const std::uint8_t> stored, std::span<std::uint8_t> out,
                           CodecContext::State& state) {
    if (stored.size() < k_header) {
        return failure("planes: shorter than its header");
    }
    const std::size_t width = stored[0];
    if ((width != 2 && width != 4 && width != 8) || stored[1] != k_rotate_left_one ||
        stored[2] != 0 || stored[3] != 0) {
        return failure(fmt::format("planes: unknown width {} or transform {}", width, stored[1]));
    }
    const std::uint64_t prefix = get_u32(stored.data() + 4);
    const std::uint64_t count = get_u32(stored.data() + 8);
    if (prefix > out.size() || count > (out.size() - prefix) / width ||
        out.size() - prefix - count * width >= width) {
        return failure("planes: value count and prefix do not add up to the chunk's size");
    }
    std::size_t at = k_header + width * k_plane_descriptor;
    if (stored.size() < at + prefix) {
        return failure("planes: truncated");
    }
    std::memcpy(out.data(), stored.data() + at, prefix);
    at += prefix;
    state.planes.resize(count * width);
    for (std::size_t b = 0; b < width; ++b) {
        const std::uint8_t* descriptor = stored.data() + k_header + b * k_plane_descriptor;
        const std::size_t length = get_u32(descriptor + 4);
        if (descriptor[0] > 1 || length > stored.size() - at) {
            return failure(fmt::format("planes: plane {} is damaged", b));
        }
        const std::span<const std::uint8_t> plane(stored.data() + at, length);
        const std::span<std::uint8_t> target(state.planes.data() + b * count, count);
        if (descriptor[0] == 0) {
            if (length != count) {
                return failure(
                    fmt::format("planes: raw plane {} has {} bytes, not {}", b, length, count));
            }
            std::memcpy(target.data(), plane.data(), count);
        } else if (auto ok = zstd_exact(plane, target, state); !ok) {
            return failure(fmt::format("planes: plane {}: {}", b, ok.error()));
        }
        at += length;
    }
    const std::size_t suffix = out.size() - prefix - count * width;
    if (stored.size() - at != suffix) {
        return failure("planes: the stored size does not match its planes");
    }
    merge_planes(state.planes.data(), count, width, out.data() + prefix);
    std::memcpy(out.data() + prefix + count * width, stored.data() + at, suffix);
    return {};
}

} // namespace detail

} // namespace mv::store
