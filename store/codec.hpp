#pragma once
// How a chunk's bytes are stored (docs/FORMAT.md "Codecs"): as they are (`raw`), as one
// zstd frame (`zstd`), or byte-grouped (`planes`): every value of 2, 4 or 8 bytes is
// rotated left by one bit (the sign moves below the mantissa, so the exponent fills the
// top byte) and its bytes are split into planes, byte k of every value in plane k; each
// plane is stored raw or as a zstd frame, whichever is smaller. Exponent bytes of
// trained weights repeat a lot; mantissa bytes are noise (ZipNN, 2024).
//
// The choice is a pure function of the chunk's bytes (a sample of them) and the value
// type the layout gave, so it can be fuzzed; decoding checks every length it reads.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "store/byte_buffer.hpp"
#include "store/value_type.hpp"
#include "util/expected.hpp"

namespace mv::store {

enum class BlobCodec : std::uint8_t { raw = 0, zstd = 1, planes = 2 };
const char* to_string(BlobCodec codec);

/// What the vault's `compression` settings ask for.
struct CodecSettings {
    enum class Mode { automatic, zstd, raw };
    Mode mode = Mode::automatic; ///< automatic: planes for floats, zstd or raw otherwise
    int level = 3;               ///< zstd level
};

/// The codec for one chunk; for planes, the value width and the bytes before the values.
struct CodecChoice {
    BlobCodec codec = BlobCodec::raw;
    std::uint8_t width = 0;
    std::uint64_t prefix = 0;
    bool operator==(const CodecChoice&) const = default;
};

/// zstd contexts and scratch space, reused across chunks by one thread.
class CodecContext {
public:
    CodecContext();
    ~CodecContext();
    CodecContext(const CodecContext&) = delete;
    CodecContext& operator=(const CodecContext&) = delete;

    struct State;
    State& state() { return *m_state; }

private:
    std::unique_ptr<State> m_state;
};

/// Picks the codec for `chunk`, whose values (after `prefix` bytes) are of type `hint`
/// (unknown: decided from a sample of the bytes).
CodecChoice choose_codec(std::span<const std::uint8_t> chunk, ValueType hint, std::uint64_t prefix,
                         const CodecSettings& settings, CodecContext& context);

/// Encodes `chunk` as `choice` says into `out` (replacing its content) and returns the
/// codec actually used: raw whenever the encoding would not be smaller.
BlobCodec encode_chunk(std::span<const std::uint8_t> chunk, const CodecChoice& choice, int level,
                       CodecContext& context, ByteBuffer& out);

/// Decodes `stored` (of `codec`) into exactly `out.size()` bytes, or says what is wrong.
Result<void> decode_chunk(std::span<const std::uint8_t> stored, BlobCodec codec,
                          std::span<std::uint8_t> out, CodecContext& context);

/// Whether `stored` (of `codec`) decodes to exactly `expected`, or what differs. Holds a
/// piece of 64 KiB at a time (and zstd's window), never a decoded copy of the chunk: the check a
/// backup runs on every chunk before it is written (docs/FORMAT.md "Codecs").
Result<void> check_chunk(std::span<const std::uint8_t> stored, BlobCodec codec,
                         std::span<const std::uint8_t> expected, CodecContext& context);

/// Byte grouping on its own (the planes of `values`, each `count` bytes, concatenated)
/// and its inverse; exposed for tests and the benchmark.
void split_planes(const std::uint8_t* values, std::size_t count, std::size_t width,
                  std::uint8_t* planes);
void merge_planes(const std::uint8_t* planes, std::size_t count, std::size_t width,
                  std::uint8_t* values);

} // namespace mv::store
