// Index files and the in-memory table.
#include <gtest/gtest.h>

#include "store/index_format.hpp"
#include "store/index_table.hpp"

namespace mv::store {
namespace {

ChunkId id_of(const std::string& text) {
    return Digest::sha256_of(as_bytes(text));
}

IndexedPack pack_of(const std::string& name, const std::vector<std::string>& chunks) {
    IndexedPack pack{id_of(name), 8, {}};
    for (const auto& chunk : chunks) {
        pack.blobs.push_back(
            {id_of(chunk), BlobCodec::zstd, static_cast<std::uint32_t>(pack.size), 10, 20});
        pack.size += 10;
    }
    pack.size += 16 + 48 * chunks.size();
    return pack;
}

TEST(IndexFormat, RoundTripsAndRefusesDamage) {
    const std::vector<IndexedPack> packs = {pack_of("p1", {"a", "b"}), pack_of("p2", {"c"})};
    const auto bytes = encode_index(packs);
    auto parsed = parse_index(bytes);
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(*parsed, packs);
    auto short_bytes = bytes;
    short_bytes.pop_back();
    EXPECT_FALSE(parse_index(short_bytes));
    auto bad_pack = bytes;
    bad_pack[16 + 2 * 40 + 32] = 7; // the first entry names pack 7 of 2
    EXPECT_FALSE(parse_index(bad_pack));
}

TEST(IndexTable, FindsChunksAcrossLoadedAndLaterFiles) {
    IndexTable table;
    table.begin_loading();
    table.add(id_of("f1"), {pack_of("p1", {"a", "b"})});
    table.add(id_of("f2"), {pack_of("p2", {"c"})});
    table.finish_loading();
    table.add(id_of("f3"), {pack_of("p3", {"d", "a"})});
    EXPECT_TRUE(table.find(id_of("a")));
    EXPECT_TRUE(table.find(id_of("d")));
    EXPECT_FALSE(table.find(id_of("zz")));
    EXPECT_EQ(table.find_all(id_of("a")).size(), 2u);
    EXPECT_EQ(table.entry_count(), 5u);
    // The same pack listed by a second file is not counted twice.
    table.add(id_of("f4"), {pack_of("p1", {"a", "b"})});
    EXPECT_EQ(table.entry_count(), 5u);
    table.remove_packs({*table.pack_number(id_of("p1"))});
    EXPECT_EQ(table.find_all(id_of("a")).size(), 1u);
    EXPECT_FALSE(table.find(id_of("b")));
    EXPECT_FALSE(table.pack_number(id_of("p1")));
}

} // namespace
} // namespace mv::store
