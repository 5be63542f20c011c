#include "store/gear_chunker.hpp"

#include <algorithm>
#include <array>
#include <bit>

namespace mv::store {

namespace {

// SplitMix64 (Steele, Lea, Flood 2014): a fixed, documented way to get 256
// well-mixed 64-bit values without shipping a table.
std::array<std::uint64_t, 256> make_gear_table() {
    std::array<std::uint64_t, 256> table{};
    std::uint64_t state = 0x6d6f64656c766c74ull; // "modelvlt"
    for (auto& value : table) {
        state += 0x9e3779b97f4a7c15ull;
        std::uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        value = z ^ (z >> 31);
    }
    return table;
}

// The `bits` highest bits set: the gear hash's high bits depend on the most bytes.
std::uint64_t top_bits(int bits) {
    return bits <= 0 ? 0 : ~std::uint64_t{0} << (64 - bits);
}

} // namespace

const std::uint64_t* gear_table() {
    static const std::array<std::uint64_t, 256> table = make_gear_table();
    return table.data();
}

GearScanner::GearScanner(CdcParams params) : m_params(params) {
    const int bits = std::bit_width(std::max<std::size_t>(m_params.avg, 2)) - 1;
    // Normalised chunking, level 2: two more bits before the average, two fewer after,
    // which narrows the size distribution around `avg`.
    m_mask_small = top_bits(bits + 2);
    m_mask_large = top_bits(bits - 2);
}

void GearScanner::reset() {
    m_hash = 0;
    m_scanned = 0;
}

std::optional<std::size_t> GearScanner::scan(std::span<const std::uint8_t> data, bool at_end) {
    const std::size_t limit = std::min(data.size(), m_params.max);
    // The first `min` bytes can never end a chunk: skip them without hashing, except the
    // 64 before `min`, which decide the hash at the first candidate position.
    if (m_scanned < m_params.min) {
        const std::size_t warm = m_params.min > 64 ? m_params.min - 64 : 0;
        m_scanned = std::max(m_scanned, std::min(warm, limit));
    }
    const std::uint64_t* gear = gear_table();
    const std::size_t normal = std::min(m_params.avg, limit);
    std::uint64_t hash = m_hash;
    std::size_t i = m_scanned;
    for (; i < normal; ++i) {
        hash = (hash << 1) + gear[data[i]];
        if (i + 1 >= m_params.min && (hash & m_mask_small) == 0) {
            return i + 1;
        }
    }
    for (; i < limit; ++i) {
        hash = (hash << 1) + gear[data[i]];
        if (i + 1 >= m_params.min && (hash & m_mask_large) == 0) {
            return i + 1;
        }
    }
    m_hash = hash;
    m_scanned = i;
    if (limit == m_params.max || at_end) {
        return limit;
    }
    return std::nullopt;
}

std::vector<std::size_t> cut_lengths(std::span<const std::uint8_t> data, CdcParams params) {
    std::vector<std::size_t> lengths;
    GearScanner scanner(params);
    std::size_t offset = 0;
    while (offset < data.size()) {
        scanner.reset();
        const auto length = scanner.scan(data.subspan(offset), true);
        lengths.push_back(*length);
        offset += *length;
    }
    return lengths;
}

} // namespace mv::store
