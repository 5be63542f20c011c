// Reading every pack back (`verify --all --read-data`), independent of what versions use:
// damage in a duplicate copy or an unused blob is found too.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "store/sha256.hpp"
#include "store/store.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::store {

namespace {

// The problems of one pack whose bytes are `bytes`, given its index entries.
std::vector<std::string> check_pack(const PackId& id, const std::string& bytes,
                                    const std::vector<IndexEntry>& indexed, const ChunkNamer& namer,
                                    const Sealing& sealing, CodecContext& codec) {
    std::vector<std::string> problems;
    const std::string name = fmt::format("pack {}", id.short_hex());
    if (Digest::sha256_of(as_bytes(bytes)) != id) {
        problems.push_back(fmt::format("{}: its bytes do not hash to its name", name));
    }
    auto entries = parse_pack(as_bytes(bytes), sealing);
    if (!entries) {
        problems.push_back(fmt::format("{}: {}", name, entries.error()));
        return problems;
    }
    for (const auto& entry : indexed) {
        const bool listed = std::any_of(entries->begin(), entries->end(), [&](const BlobEntry& b) {
            return b.id == entry.id && b.offset == entry.offset &&
                   b.stored_length == entry.stored_length;
        });
        if (!listed) {
            problems.push_back(fmt::format("{}: the index places chunk {} where the pack's "
                                           "header does not",
                                           name, entry.id.short_hex()));
        }
    }
    std::vector<std::uint8_t> decoded;
    std::vector<std::uint8_t> unsealed;
    for (const auto& blob : *entries) {
        decoded.resize(blob.raw_length);
        const auto stored = sealing.open_blob(
            blob.id, as_bytes(bytes).subspan(blob.offset, blob.stored_length), unsealed);
        if (!stored) {
            problems.push_back(
                fmt::format("{}: chunk {} {}", name, blob.id.short_hex(), stored.error()));
            continue;
        }
        auto ok = decode_chunk(*stored, blob.codec, decoded, codec);
        if (!ok || namer.name(decoded) != blob.id) {
            problems.push_back(fmt::format("{}: chunk {} is damaged ({})", name,
                                           blob.id.short_hex(),
                                           ok ? "it does not hash to its name" : ok.error()));
        }
    }
    return problems;
}

} // namespace

std::vector<std::string>
Store::check_packs(const std::stop_token& stop,
                   const std::function<void(std::uint64_t)>& progress) const {
    std::vector<std::pair<std::uint32_t, PackId>> packs;
    std::map<std::uint32_t, std::vector<IndexEntry>> indexed;
    {
        std::shared_lock lock(m_mutex);
        std::vector<std::uint32_t> numbers;
        for (std::uint32_t number = 0; number < m_table.packs().size(); ++number) {
            if (m_table.packs()[number].live) {
                packs.emplace_back(number, m_table.packs()[number].id);
                numbers.push_back(number);
            }
        }
        indexed = m_table.entries_of(numbers);
    }
    std::vector<std::string> problems;
    CodecContext codec;
    std::uint64_t done = 0;
    for (const auto& [number, id] : packs) {
        if (stop.stop_requested()) {
            throw Error("verification abandoned: the daemon is stopping", ErrorCode::cancelled);
        }
        auto bytes = fs::read_file(pack_path(id), 1u << 31);
        if (!bytes) {
            if (pack_number_of(id)) { // still indexed: really missing
                problems.push_back(fmt::format("pack {}: {}", id.short_hex(), bytes.error()));
            }
            continue;
        }
        auto found = check_pack(id, *bytes, indexed[number], *m_namer, m_sealing, codec);
        problems.insert(problems.end(), found.begin(), found.end());
        done += bytes->size();
        if (progress) {
            progress(done);
        }
    }
    return problems;
}

} // namespace mv::store
