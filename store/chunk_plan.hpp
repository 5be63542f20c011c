#pragma once
// From a file's layout to how it is cut (docs/FORMAT.md "Chunking"): tensor regions at
// fixed offsets from the tensor's start, everything else by content.
//   - a tensor of at most 4 MiB is one chunk;
//   - a larger one is cut every 4 MiB from its first value (a last piece under 512 KiB
//     joins the one before), so its chunks do not move when tensors before it change size;
//   - runs of small tensors (under 512 KiB each) of one type that follow each other
//     without a gap share a chunk until it reaches 512 KiB;
//   - opaque regions are cut by the Gear chunker.
// Pure; the result tiles the file exactly.

#include <cstdint>
#include <vector>

#include "store/layout.hpp"

namespace mv::store {

/// Limits of the fixed cutting of tensors.
struct TensorCutParams {
    /// A tensor up to this size is one chunk. 4 MiB, not 8: a backup holds a few chunks
    /// per worker, and 8 MiB ones kept its peak memory over 64 MiB (bench/README.md).
    std::uint64_t single_max = 4u << 20;
    std::uint64_t piece = 4u << 20;   ///< larger tensors are cut every `piece` bytes
    std::uint64_t small = 512u << 10; ///< tensors under this size are grouped
};

/// One step of cutting: a single chunk of known extent (`content_defined` false), or a
/// range to cut with the Gear chunker.
struct Segment {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    bool content_defined = false;
    ValueType type = ValueType::unknown; ///< of the values after `prefix`
    std::uint64_t prefix = 0;            ///< bytes before the first value
    bool operator==(const Segment&) const = default;
};

/// The segments of a file with `layout`, in file order, tiling it exactly.
std::vector<Segment> plan_segments(const FileLayout& layout, TensorCutParams params = {});

} // namespace mv::store
