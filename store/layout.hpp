#pragma once
// Tensor-aware layout of a model file (docs/FORMAT.md "Chunking"): which byte ranges
// are tensors (and of which value type), and which are anything else. Chunk boundaries
// follow it, so an unchanged tensor gives the same chunks even when tensors before it
// changed size. Supported: safetensors, GGUF, zip archives (PyTorch checkpoints with
// their stored `data/N` members, .npz, Keras v3), NumPy .npy. Everything else, and any
// file whose structure does not add up, is one opaque region (content-defined chunks).
//
// Pure: the file is only read through `ReadAt`; fuzzed with arbitrary bytes.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/value_type.hpp"
#include "util/expected.hpp"

namespace mv::store {

/// Reads up to `length` bytes at `offset` (fewer only at the end of the file).
using ReadAt = std::function<Result<std::string>(std::uint64_t offset, std::size_t length)>;

/// A byte range of the file. Tensor regions hold `prefix` bytes of something else (a
/// zip local header, alignment padding) followed by the tensor's values.
struct Region {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::uint64_t prefix = 0;
    ValueType type = ValueType::unknown;
    bool tensor = false; ///< false: chunked by content
    bool operator==(const Region&) const = default;
};

struct FileLayout {
    std::string format;          ///< "safetensors", "gguf", "zip", "npy" or "opaque"
    std::vector<Region> regions; ///< in file order, covering [0, size) exactly
};

/// The layout of a file of `size` bytes. Never fails: when the file cannot be mapped it
/// is one opaque region (an empty file has no regions).
FileLayout plan_layout(const ReadAt& read, std::uint64_t size);

/// A `ReadAt` over bytes in memory (tests, fuzzing).
ReadAt read_from_memory(std::string bytes);

namespace detail {

/// A tensor found by a format parser: its values' byte range and type.
struct TensorSpan {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    ValueType type = ValueType::unknown;
};

/// Turns tensors found in a file of `size` bytes into regions that tile it: the gap
/// before each tensor becomes its prefix, and (when `opaque_head` is set) the bytes
/// before the first tensor an opaque region. Fails when tensors overlap or leave the file.
Result<std::vector<Region>> tile(std::vector<TensorSpan> tensors, std::uint64_t size,
                                 std::uint64_t opaque_head);

Result<std::vector<TensorSpan>> safetensors_tensors(const ReadAt& read, std::uint64_t size,
                                                    std::uint64_t& header_end);
Result<std::vector<TensorSpan>> gguf_tensors(const ReadAt& read, std::uint64_t size,
                                             std::uint64_t& header_end);
Result<std::vector<TensorSpan>> zip_tensors(const ReadAt& read, std::uint64_t size);
/// The values of a .npy file (or member) starting at `base`: offset, length and type.
Result<TensorSpan> npy_tensor(const ReadAt& read, std::uint64_t base, std::uint64_t size);

/// Value type from a safetensors dtype ("F32", "BF16", "F16", "F64").
ValueType safetensors_type(std::string_view dtype);

} // namespace detail

} // namespace mv::store
