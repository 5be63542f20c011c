#pragma once
// Content-defined chunking with a Gear rolling hash and FastCDC's normalised cut rule
// (Xia et al., USENIX ATC 2016 / TPDS 2020): a cut depends only on the 64 bytes before
// it, so an insertion moves the cuts near it and no others. Used for everything the
// tensor-aware planner cannot map (pickles, unknown formats, file headers).
//
// Parameters (docs/FORMAT.md "Chunking"): at least 512 KiB, on average about 2 MiB, at
// most 8 MiB. 2 MiB keeps a vault of a million chunks at ~2 TiB of distinct data with
// an index of ~50 MiB, compresses well (zstd needs hundreds of KiB of context), and is
// finer than what changes between checkpoints (whole tensors).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace mv::store {

struct CdcParams {
    std::size_t min = 512u << 10;
    std::size_t avg = 2u << 20; ///< a power of two
    std::size_t max = 8u << 20;
};

/// Finds the end of one chunk incrementally: hand it the chunk's bytes read so far (from
/// the chunk's start, growing between calls) and it continues where it stopped.
class GearScanner {
public:
    explicit GearScanner(CdcParams params = {});
    /// The chunk's length once a cut is found in `data` (or `data.size()` when `at_end`
    /// and no cut was found, or when `data` reached params.max), else nullopt: more bytes
    /// are needed. After a result, reset() before the next chunk.
    std::optional<std::size_t> scan(std::span<const std::uint8_t> data, bool at_end);
    void reset();
    const CdcParams& params() const { return m_params; }

private:
    CdcParams m_params;
    std::uint64_t m_mask_small; ///< before `avg`: harder to match (more bits)
    std::uint64_t m_mask_large; ///< after `avg`: easier to match (fewer bits)
    std::uint64_t m_hash = 0;
    std::size_t m_scanned = 0; ///< bytes of the chunk already hashed or skipped
};

/// The lengths of the chunks `data` splits into (pure; the reference for fuzzing).
std::vector<std::size_t> cut_lengths(std::span<const std::uint8_t> data, CdcParams params = {});

/// The 256 gear values (SplitMix64 from a fixed seed; docs/FORMAT.md).
const std::uint64_t* gear_table();

} // namespace mv::store
