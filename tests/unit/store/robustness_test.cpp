// The pure parsers take hostile bytes without crashing (a cheap stand-in for fuzzing in
// the default suite: a few thousand mutations each).
#include <algorithm>
#include <random>
#include <utility>

#include <gtest/gtest.h>

#include "store/codec.hpp"
#include "store/gear_chunker.hpp"
#include "store/index_format.hpp"
#include "store/layout.hpp"
#include "store/pack_format.hpp"
#include "tests/unit/store/test_data.hpp"

namespace mv::store {
namespace {

std::string mutate(std::string bytes, std::mt19937& random) {
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < edits && !bytes.empty(); ++i) {
        const auto at = random() % bytes.size();
        switch (random() % 3) {
        case 0:
            bytes[at] = static_cast<char>(random());
            break;
        case 1:
            bytes.erase(at, 1 + random() % 8);
            break;
        default:
            bytes.insert(at, std::string(1 + random() % 8, static_cast<char>(random())));
        }
    }
    return bytes;
}

TEST(Robustness, LayoutsOfMutatedModelFilesStillTileTheFile) {
    const std::vector<std::string> seeds = {
        test::safetensors({{"a", "F32", test::float32_weights(300)}, {"b", "BF16", "abcd"}}),
        test::stored_zip({{"m/data.pkl", "pickle"},
                          {"m/data/0", test::float32_weights(100)},
                          {"m/x.npy", test::npy_float32(test::float32_weights(50))}}),
        test::npy_float32(test::float32_weights(64))};
    std::mt19937 random(42);
    for (int round = 0; round < 3000; ++round) {
        const std::string file = mutate(seeds[round % seeds.size()], random);
        const auto layout = plan_layout(read_from_memory(file), file.size());
        std::uint64_t at = 0;
        for (const auto& region : layout.regions) {
            ASSERT_EQ(region.offset, at);
            ASSERT_LE(region.prefix, region.length);
            at += region.length;
        }
        ASSERT_EQ(at, file.size());
    }
}

TEST(Robustness, MutatedPacksIndexesAndPlanesAreRefusedOrParsed) {
    std::mt19937 random(7);
    CodecContext context;
    ByteBuffer planes;
    const std::string f32 = test::float32_weights(2000);
    encode_chunk(test::bytes_of(f32), {BlobCodec::planes, 4, 0}, 3, context, planes);
    const std::string planes_text(planes.begin(), planes.end());
    ByteBuffer frame;
    encode_chunk(test::bytes_of(f32), {BlobCodec::zstd, 0, 0}, 3, context, frame);
    const std::string frame_text(frame.begin(), frame.end());
    IndexedPack pack{
        Digest::sha256_of(as_bytes("p")), 1000, {{Digest{}, BlobCodec::zstd, 8, 100, 300}}};
    const auto index = encode_index({pack});
    const std::string index_text(index.begin(), index.end());
    std::vector<std::uint8_t> out(f32.size());
    for (int round = 0; round < 3000; ++round) {
        const std::string p = mutate(planes_text, random);
        (void)decode_chunk(test::bytes_of(p), BlobCodec::planes, out, context);
        (void)decode_chunk(test::bytes_of(p), BlobCodec::zstd, out, context);
        // Checking without decoding accepts exactly what decodes to the chunk.
        for (const auto& [codec, stored] :
             {std::pair{BlobCodec::planes, p},
              std::pair{BlobCodec::zstd, mutate(frame_text, random)}}) {
            const bool decodes = decode_chunk(test::bytes_of(stored), codec, out, context) &&
                                 std::equal(out.begin(), out.end(), f32.begin(), f32.end(),
                                            [](std::uint8_t a, char b) {
                                                return a == static_cast<std::uint8_t>(b);
                                            });
            ASSERT_EQ(
                bool(check_chunk(test::bytes_of(stored), codec, test::bytes_of(f32), context)),
                decodes)
                << to_string(codec) << " round " << round;
        }
        (void)parse_pack(test::bytes_of(mutate(index_text, random)));
        (void)parse_index(test::bytes_of(mutate(index_text, random)));
    }
}

} // namespace
} // namespace mv::store
