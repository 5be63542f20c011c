#include "store/index_format.hpp"

#include <cstring>

#include <fmt/format.h>

namespace mv::store {

namespace {

constexpr std::size_t k_head = 16;
constexpr std::size_t k_pack = 40;
constexpr std::size_t k_entry = k_index_entry_bytes;
constexpr char k_index_magic[4] = {'M', 'V', 'I', 'X'};

} // namespace

std::vector<std::uint8_t> encode_index(const std::vector<IndexedPack>& packs) {
    std::size_t entries = 0;
    for (const auto& pack : packs) {
        entries += pack.blobs.size();
    }
    std::vector<std::uint8_t> out(std::begin(k_index_magic), std::end(k_index_magic));
    out.reserve(k_head + packs.size() * k_pack + entries * k_entry);
    put_le(out, 1, 1);
    put_le(out, 0, 3);
    put_le(out, packs.size(), 4);
    put_le(out, entries, 4);
    for (const auto& pack : packs) {
        out.insert(out.end(), pack.id.bytes.begin(), pack.id.bytes.end());
        put_le(out, pack.size, 8);
    }
    for (std::size_t number = 0; number < packs.size(); ++number) {
        for (const auto& blob : packs[number].blobs) {
            out.insert(out.end(), blob.id.bytes.begin(), blob.id.bytes.end());
            put_le(out, number, 4);
            put_le(out, static_cast<std::uint8_t>(blob.codec), 1);
            put_le(out, 0, 3);
            put_le(out, blob.offset, 4);
            put_le(out, blob.stored_length, 4);
            put_le(out, blob.raw_length, 4);
        }
    }
    return out;
}

Result<std::vector<IndexedPack>> parse_index(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < k_head || std::memcmp(bytes.data(), k_index_magic, 4) != 0) {
        return failure("not a modelvault index file (MVIX)");
    }
    if (bytes[4] != 1 || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0) {
        return failure(
            fmt::format("index format version {} is not supported; upgrade modelvault", bytes[4]));
    }
    const std::uint64_t pack_count = get_le(bytes.data() + 8, 4);
    const std::uint64_t entry_count = get_le(bytes.data() + 12, 4);
    if (bytes.size() != k_head + pack_count * k_pack + entry_count * k_entry) {
        return failure("the index file's size does not match its counts");
    }
    std::vector<IndexedPack> packs(static_cast<std::size_t>(pack_count));
    const std::uint8_t* p = bytes.data() + k_head;
    for (auto& pack : packs) {
        std::memcpy(pack.id.bytes.data(), p, 32);
        pack.size = get_le(p + 32, 8);
        p += k_pack;
    }
    for (std::uint64_t i = 0; i < entry_count; ++i, p += k_entry) {
        const std::uint64_t number = get_le(p + 32, 4);
        if (number >= pack_count || p[36] > static_cast<std::uint8_t>(BlobCodec::planes) ||
            p[37] != 0 || p[38] != 0 || p[39] != 0) {
            return failure(fmt::format("index entry {} names pack {} of {} or an unknown codec", i,
                                       number, pack_count));
        }
        BlobEntry blob;
        std::memcpy(blob.id.bytes.data(), p, 32);
        blob.codec = static_cast<BlobCodec>(p[36]);
        blob.offset = static_cast<std::uint32_t>(get_le(p + 40, 4));
        blob.stored_length = static_cast<std::uint32_t>(get_le(p + 44, 4));
        blob.raw_length = static_cast<std::uint32_t>(get_le(p + 48, 4));
        auto& pack = packs[static_cast<std::size_t>(number)];
        if (std::uint64_t{blob.offset} + blob.stored_length > pack.size) {
            return failure(fmt::format("index entry {} lies outside its pack", i));
        }
        pack.blobs.push_back(blob);
    }
    return packs;
}

} // namespace mv::store
