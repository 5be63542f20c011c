#include "store/pack_format.hpp"

#include <cstring>

#include <fmt/format.h>

namespace mv::store {

namespace {

constexpr std::uint8_t k_version = 1;
constexpr char k_pack_magic[4] = {'M', 'V', 'P', 'K'};

// A sealed header is bound to its blob count (the trailer's, in clear).
std::array<std::uint8_t, 4> header_identity(std::size_t entries) {
    return {static_cast<std::uint8_t>(entries), static_cast<std::uint8_t>(entries >> 8),
            static_cast<std::uint8_t>(entries >> 16), static_cast<std::uint8_t>(entries >> 24)};
}

} // namespace

void put_le(std::vector<std::uint8_t>& out, std::uint64_t value, int width) {
    for (int i = 0; i < width; ++i) {
        out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
    }
}

std::uint64_t get_le(const std::uint8_t* bytes, int width) {
    std::uint64_t value = 0;
    for (int i = width - 1; i >= 0; --i) {
        value = (value << 8) | bytes[i];
    }
    return value;
}

std::array<std::uint8_t, k_pack_lead> pack_lead(bool sealed) {
    return {'M', 'V', 'P', 'K', k_version, static_cast<std::uint8_t>(sealed ? 1 : 0), 0, 0};
}

std::vector<std::uint8_t> encode_pack_tail(const std::vector<BlobEntry>& entries,
                                           const Sealing& sealing) {
    std::vector<std::uint8_t> out;
    out.reserve(entries.size() * k_pack_entry + k_pack_trailer + sealing.overhead());
    for (const auto& entry : entries) {
        out.insert(out.end(), entry.id.bytes.begin(), entry.id.bytes.end());
        put_le(out, static_cast<std::uint8_t>(entry.codec), 1);
        put_le(out, 0, 3);
        put_le(out, entry.offset, 4);
        put_le(out, entry.stored_length, 4);
        put_le(out, entry.raw_length, 4);
    }
    if (sealing.enabled()) {
        out = sealing.seal(crypto::Role::pack_header, header_identity(entries.size()), out);
    }
    put_le(out, out.size(), 4);
    put_le(out, entries.size(), 4);
    put_le(out, k_version, 1);
    put_le(out, sealing.enabled() ? 1 : 0, 1);
    put_le(out, 0, 2);
    out.insert(out.end(), std::begin(k_pack_magic), std::end(k_pack_magic));
    return out;
}

Result<PackTrailer> parse_pack_trailer(std::span<const std::uint8_t> trailer,
                                       std::uint64_t pack_size) {
    if (trailer.size() != k_pack_trailer || pack_size < k_pack_lead + k_pack_trailer) {
        return failure("too short to be a pack");
    }
    if (std::memcmp(trailer.data() + 12, k_pack_magic, 4) != 0) {
        return failure("the pack does not end with its trailer (MVPK)");
    }
    if (trailer[8] != k_version || trailer[9] > 1 || trailer[10] != 0 || trailer[11] != 0) {
        return failure(fmt::format("pack format version {} (flags {}) is not supported; upgrade "
                                   "modelvault",
                                   trailer[8], trailer[9]));
    }
    PackTrailer parsed{static_cast<std::uint32_t>(get_le(trailer.data(), 4)),
                       static_cast<std::uint32_t>(get_le(trailer.data() + 4, 4)), trailer[9] == 1};
    const std::uint64_t sealing = parsed.sealed ? crypto::k_seal_overhead : 0;
    if (parsed.header_length != std::uint64_t{parsed.entries} * k_pack_entry + sealing ||
        parsed.header_length > pack_size - k_pack_lead - k_pack_trailer) {
        return failure("the pack's trailer does not match its size");
    }
    return parsed;
}

Result<std::vector<BlobEntry>> parse_pack_header(std::span<const std::uint8_t> stored_header,
                                                 const PackTrailer& trailer,
                                                 std::uint64_t pack_size, const Sealing& sealing) {
    if (stored_header.size() != trailer.header_length) {
        return failure("the pack's header is truncated");
    }
    if (trailer.sealed != sealing.enabled()) {
        return failure(trailer.sealed ? "the pack is encrypted, the vault is not"
                                      : "the pack is not encrypted, the vault is");
    }
    auto opened =
        sealing.open(crypto::Role::pack_header, header_identity(trailer.entries), stored_header);
    if (!opened) {
        return failure("the pack's header " + opened.error());
    }
    const std::span<const std::uint8_t> header = *opened;
    std::vector<BlobEntry> entries;
    entries.reserve(trailer.entries);
    std::uint64_t expected = k_pack_lead;
    for (std::size_t i = 0; i < trailer.entries; ++i) {
        const std::uint8_t* p = header.data() + i * k_pack_entry;
        BlobEntry entry;
        std::memcpy(entry.id.bytes.data(), p, 32);
        if (p[32] > static_cast<std::uint8_t>(BlobCodec::planes) || p[33] != 0 || p[34] != 0 ||
            p[35] != 0) {
            return failure(fmt::format("blob {} has an unknown codec {} or flags", i, p[32]));
        }
        entry.codec = static_cast<BlobCodec>(p[32]);
        entry.offset = static_cast<std::uint32_t>(get_le(p + 36, 4));
        entry.stored_length = static_cast<std::uint32_t>(get_le(p + 40, 4));
        entry.raw_length = static_cast<std::uint32_t>(get_le(p + 44, 4));
        if (entry.offset != expected) {
            return failure(
                fmt::format("blob {} starts at {}, expected {}", i, entry.offset, expected));
        }
        expected += entry.stored_length;
        entries.push_back(entry);
    }
    if (expected != pack_size - k_pack_trailer - trailer.header_length) {
        return failure("the pack's blobs do not fill the space before its header");
    }
    return entries;
}

Result<std::vector<BlobEntry>> parse_pack(std::span<const std::uint8_t> pack,
                                          const Sealing& sealing) {
    if (pack.size() < k_pack_lead + k_pack_trailer ||
        std::memcmp(pack.data(), k_pack_magic, 4) != 0 || pack[4] != k_version) {
        return failure("not a modelvault pack (MVPK, version 1)");
    }
    auto trailer = parse_pack_trailer(pack.last(k_pack_trailer), pack.size());
    if (!trailer) {
        return failure(trailer.error());
    }
    return parse_pack_header(
        pack.subspan(pack.size() - k_pack_trailer - trailer->header_length, trailer->header_length),
        *trailer, pack.size(), sealing);
}

} // namespace mv::store
