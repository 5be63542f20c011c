// Pack framing: what is written parses back, and every inconsistency is refused.
#include <gtest/gtest.h>

#include "store/pack_format.hpp"

namespace mv::store {
namespace {

std::vector<std::uint8_t> make_pack(const std::vector<std::string>& blobs,
                                    std::vector<BlobEntry>& entries) {
    const auto lead = pack_lead();
    std::vector<std::uint8_t> pack(lead.begin(), lead.end());
    for (std::size_t i = 0; i < blobs.size(); ++i) {
        BlobEntry entry;
        entry.id = Digest::sha256_of(as_bytes(blobs[i]));
        entry.codec = BlobCodec::raw;
        entry.offset = static_cast<std::uint32_t>(pack.size());
        entry.stored_length = static_cast<std::uint32_t>(blobs[i].size());
        entry.raw_length = entry.stored_length;
        entries.push_back(entry);
        pack.insert(pack.end(), blobs[i].begin(), blobs[i].end());
    }
    const auto tail = encode_pack_tail(entries);
    pack.insert(pack.end(), tail.begin(), tail.end());
    return pack;
}

TEST(PackFormat, WrittenPackParsesBack) {
    std::vector<BlobEntry> entries;
    const auto pack = make_pack({"first blob", "second", std::string(1000, 'x')}, entries);
    auto parsed = parse_pack(pack);
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(*parsed, entries);
    std::vector<BlobEntry> none;
    EXPECT_TRUE(parse_pack(make_pack({}, none)));
}

TEST(PackFormat, InconsistentPacksAreRefused) {
    std::vector<BlobEntry> entries;
    const auto pack = make_pack({"aaaa", "bbbbbb"}, entries);
    auto bad_magic = pack;
    bad_magic[bad_magic.size() - 1] = 'X';
    EXPECT_FALSE(parse_pack(bad_magic));
    auto truncated = pack;
    truncated.erase(truncated.begin() + 9); // one blob byte gone: offsets no longer fit
    EXPECT_FALSE(parse_pack(truncated));
    auto unknown_codec = pack;
    unknown_codec[pack.size() - 16 - 2 * 48 + 32] = 9;
    EXPECT_FALSE(parse_pack(unknown_codec));
    auto future = pack;
    future[pack.size() - 8] = 2; // trailer version
    const auto refused = parse_pack(future);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("upgrade modelvault"), std::string::npos);
    EXPECT_FALSE(parse_pack(std::vector<std::uint8_t>(10, 0)));
}

} // namespace
} // namespace mv::store
