#include "store/codec.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "store/codec_state.hpp"
#include "util/error.hpp"

namespace mv::store {

namespace {

/// The sample that decides a codec: up to three slices from the start, middle and end.
constexpr std::size_t k_sample_slice = 16u << 10;
/// The part of a plane whose compression decides whether the plane is compressed.
constexpr std::size_t k_probe = 64u << 10;

std::vector<std::uint8_t> sample_of(std::span<const std::uint8_t> values) {
    if (values.size() <= 3 * k_sample_slice) {
        return {values.begin(), values.end()};
    }
    std::vector<std::uint8_t> sample;
    sample.reserve(3 * k_sample_slice);
    // Slices start at multiples of 8, so values of every width stay aligned.
    for (const std::size_t start : {std::size_t{0}, (values.size() / 2) & ~std::size_t{7},
                                    (values.size() - k_sample_slice) & ~std::size_t{7}}) {
        sample.insert(sample.end(), values.begin() + static_cast<std::ptrdiff_t>(start),
                      values.begin() + static_cast<std::ptrdiff_t>(start + k_sample_slice));
    }
    return sample;
}

// Planes are entropy-coded: zstd's fast strategy with a 64-entry hash table and matches of
// 7 bytes or more finds runs (zero tensors, repeats) but leaves the rest to its Huffman
// literals. On N(0, 0.02) float32 exponents that is 2.61 bits a value (entropy 2.55),
// where level 3 spends 3.23 on short matches that do not pay (docs/FORMAT.md "Codecs").
void configure_plane_compressor(ZSTD_CCtx* compressor) {
    ZSTD_CCtx_setParameter(compressor, ZSTD_c_compressionLevel, 1);
    ZSTD_CCtx_setParameter(compressor, ZSTD_c_minMatch, 7);
    ZSTD_CCtx_setParameter(compressor, ZSTD_c_hashLog, 6);
}

// Stored size of `sample` under a candidate codec.
std::size_t estimate(std::span<const std::uint8_t> sample, const CodecChoice& choice, int level,
                     CodecContext::State& state) {
    ByteBuffer out;
    if (choice.codec == BlobCodec::planes) {
        detail::encode_planes(sample, choice.width, 0, state, out);
        return out.size();
    }
    const std::size_t size =
        detail::append_zstd(sample, detail::chunk_compressor(state, level), out);
    return size == 0 ? sample.size() : size;
}

} // namespace

const char* to_string(BlobCodec codec) {
    switch (codec) {
    case BlobCodec::raw:
        return "raw";
    case BlobCodec::zstd:
        return "zstd";
    case BlobCodec::planes:
        return "planes";
    }
    return "unknown";
}

CodecContext::CodecContext() : m_state(std::make_unique<State>()) {
    m_state->compressor = ZSTD_createCCtx();
    m_state->plane_compressor = ZSTD_createCCtx();
    m_state->decompressor = ZSTD_createDCtx();
    if (m_state->compressor == nullptr || m_state->plane_compressor == nullptr ||
        m_state->decompressor == nullptr) {
        ZSTD_freeCCtx(m_state->compressor);
        ZSTD_freeCCtx(m_state->plane_compressor);
        ZSTD_freeDCtx(m_state->decompressor);
        throw Error("cannot allocate zstd contexts (out of memory)");
    }
    configure_plane_compressor(m_state->plane_compressor);
}

CodecContext::~CodecContext() {
    ZSTD_freeCCtx(m_state->compressor);
    ZSTD_freeCCtx(m_state->plane_compressor);
    ZSTD_freeDCtx(m_state->decompressor);
}

namespace detail {

ZSTD_CCtx* chunk_compressor(CodecContext::State& state, int level) {
    if (state.level != level) {
        ZSTD_CCtx_setParameter(state.compressor, ZSTD_c_compressionLevel, level);
        state.level = level;
    }
    return state.compressor;
}

// Straight into `out`: a scratch frame copied over (and zeroed first by its vector) cost
// more than a fifth of encoding a float chunk (bench/README.md).
std::size_t append_zstd(std::span<const std::uint8_t> data, ZSTD_CCtx* compressor,
                        ByteBuffer& out) {
    const std::size_t at = out.size();
    out.resize(at + ZSTD_compressBound(data.size()));
    const std::size_t size =
        ZSTD_compress2(compressor, out.data() + at, out.size() - at, data.data(), data.size());
    if (ZSTD_isError(size) || size >= data.size()) {
        out.resize(at);
        return 0;
    }
    out.resize(at + size);
    return size;
}

namespace {

Result<void> declared_size_is(std::span<const std::uint8_t> frame, std::size_t size) {
    const unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (declared == size) {
        return {};
    }
    return failure(
        fmt::format("a zstd frame of {} bytes where {} were expected",
                    declared == ZSTD_CONTENTSIZE_UNKNOWN || declared == ZSTD_CONTENTSIZE_ERROR
                        ? std::string("unknown")
                        : std::to_string(declared),
                    size));
}

} // namespace

Result<void> zstd_exact(std::span<const std::uint8_t> frame, std::span<std::uint8_t> out,
                        CodecContext::State& state) {
    if (auto sized = declared_size_is(frame, out.size()); !sized) {
        return sized;
    }
    const std::size_t size =
        ZSTD_decompressDCtx(state.decompressor, out.data(), out.size(), frame.data(), frame.size());
    if (ZSTD_isError(size) || size != out.size()) {
        return failure(
            fmt::format("zstd: {}", ZSTD_isError(size) ? ZSTD_getErrorName(size) : "short frame"));
    }
    return {};
}

Result<void> zstd_compare(std::span<const std::uint8_t> frame, std::size_t size,
                          const SamePiece& same, CodecContext::State& state) {
    if (auto sized = declared_size_is(frame, size); !sized) {
        return sized;
    }
    ZSTD_DCtx_reset(state.decompressor, ZSTD_reset_session_only);
    state.scratch.resize(k_check_piece + 1);
    ZSTD_inBuffer in{frame.data(), frame.size(), 0};
    std::size_t done = 0;
    for (;;) {
        // Room for one byte more than is left, so that a longer frame shows.
        ZSTD_outBuffer out{state.scratch.data(), std::min(k_check_piece, size - done) + 1, 0};
        const std::size_t consumed = in.pos;
        const std::size_t left = ZSTD_decompressStream(state.decompressor, &out, &in);
        if (ZSTD_isError(left)) {
            return failure(fmt::format("zstd: {}", ZSTD_getErrorName(left)));
        }
        if (out.pos > size - done) {
            return failure(fmt::format("zstd: more than the {} bytes expected", size));
        }
        if (!same(done, {state.scratch.data(), out.pos})) {
            return failure(fmt::format("the bytes differ from offset {} on", done));
        }
        done += out.pos;
        if (left == 0) {
            break;
        }
        if (out.pos == 0 && in.pos == consumed) {
            return failure("zstd: truncated frame");
        }
    }
    if (done != size || in.pos != in.size) {
        return failure("zstd: the frame does not end where the stored bytes do");
    }
    return {};
}

bool compressible(std::span<const std::uint8_t> data, ZSTD_CCtx* compressor,
                  CodecContext::State& state) {
    if (data.size() <= k_probe) {
        return true; // append_zstd itself falls back to raw when it does not shrink
    }
    const auto probe = data.first(k_probe);
    state.scratch.resize(ZSTD_compressBound(probe.size()));
    const std::size_t size = ZSTD_compress2(compressor, state.scratch.data(), state.scratch.size(),
                                            probe.data(), probe.size());
    return !ZSTD_isError(size) && size * 100 < probe.size() * 97;
}

} // namespace detail

CodecChoice choose_codec(std::span<const std::uint8_t> chunk, ValueType hint, std::uint64_t prefix,
                         const CodecSettings& settings, CodecContext& context) {
    prefix = std::min<std::uint64_t>(prefix, chunk.size());
    if (settings.mode == CodecSettings::Mode::raw || chunk.size() < 64) {
        return {BlobCodec::raw, 0, 0};
    }
    if (settings.mode == CodecSettings::Mode::zstd) {
        return {BlobCodec::zstd, 0, 0};
    }
    const std::size_t width = value_width(hint);
    if (hint != ValueType::unknown && chunk.size() - prefix >= 2 * width) {
        return {BlobCodec::planes, static_cast<std::uint8_t>(width), prefix};
    }
    // Unknown content: compare zstd with planes of each width on a sample of the values.
    const auto sample = sample_of(chunk.subspan(static_cast<std::size_t>(prefix)));
    CodecChoice best{BlobCodec::raw, 0, 0};
    std::size_t best_size = sample.size() - sample.size() / 50; // must save 2 %
    for (const CodecChoice candidate :
         {CodecChoice{BlobCodec::zstd, 0, 0}, CodecChoice{BlobCodec::planes, 4, prefix},
          CodecChoice{BlobCodec::planes, 2, prefix}}) {
        const std::size_t size = estimate(sample, candidate, settings.level, context.state());
        if (size < best_size) {
            best = candidate;
            best_size = size;
        }
    }
    return best;
}

BlobCodec encode_chunk(std::span<const std::uint8_t> chunk, const CodecChoice& choice, int level,
                       CodecContext& context, ByteBuffer& out) {
    out.clear();
    auto& state = context.state();
    if (choice.codec == BlobCodec::planes && choice.prefix <= chunk.size() &&
        (chunk.size() - choice.prefix) / std::max<std::size_t>(choice.width, 1) > 0) {
        detail::encode_planes(chunk, choice.width, choice.prefix, state, out);
        if (out.size() < chunk.size()) {
            return BlobCodec::planes;
        }
    } else if (choice.codec == BlobCodec::zstd) {
        ZSTD_CCtx* compressor = detail::chunk_compressor(state, level);
        if (detail::compressible(chunk, compressor, state) &&
            detail::append_zstd(chunk, compressor, out) > 0) {
            return BlobCodec::zstd;
        }
    }
    out.clear();
    append_bytes(out, chunk);
    return BlobCodec::raw;
}

Result<void> decode_chunk(std::span<const std::uint8_t> stored, BlobCodec codec,
                          std::span<std::uint8_t> out, CodecContext& context) {
    switch (codec) {
    case BlobCodec::raw:
        if (stored.size() != out.size()) {
            return failure(
                fmt::format("raw: {} bytes stored for a chunk of {}", stored.size(), out.size()));
        }
        std::memcpy(out.data(), stored.data(), stored.size());
        return {};
    case BlobCodec::zstd:
        return detail::zstd_exact(stored, out, context.state());
    case BlobCodec::planes:
        return detail::decode_planes(stored, out, context.state());
    }
    return failure(fmt::format("unknown codec {}", static_cast<int>(codec)));
}

Result<void> check_chunk(std::span<const std::uint8_t> stored, BlobCodec codec,
                         std::span<const std::uint8_t> expected, CodecContext& context) {
    switch (codec) {
    case BlobCodec::raw:
        if (stored.size() != expected.size() ||
            std::memcmp(stored.data(), expected.data(), stored.size()) != 0) {
            return failure("raw: the stored bytes differ");
        }
        return {};
    case BlobCodec::zstd:
        return detail::zstd_compare(
            stored, expected.size(),
            [&](std::size_t offset, std::span<const std::uint8_t> piece) {
                return std::memcmp(expected.data() + offset, piece.data(), piece.size()) == 0;
            },
            context.state());
    case BlobCodec::planes:
        return detail::check_planes(stored, expected, context.state());
    }
    return failure(fmt::format("unknown codec {}", static_cast<int>(codec)));
}

} // namespace mv::store
