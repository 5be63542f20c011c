// The codecs round-trip every byte, byte grouping beats zstd on floats, the choice follows
// the data, and decoding refuses damage instead of crashing.
#include <gtest/gtest.h>

#include "store/codec.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/unit/store/test_data.hpp"

namespace mv::store {
namespace {

std::vector<std::uint8_t> roundtrip(const std::string& chunk, const CodecChoice& choice,
                                    BlobCodec* used = nullptr, std::size_t* stored = nullptr) {
    CodecContext context;
    ByteBuffer encoded;
    const BlobCodec codec = encode_chunk(test::bytes_of(chunk), choice, 3, context, encoded);
    if (used != nullptr) {
        *used = codec;
    }
    if (stored != nullptr) {
        *stored = encoded.size();
    }
    std::vector<std::uint8_t> out(chunk.size());
    auto ok = decode_chunk(encoded, codec, out, context);
    EXPECT_TRUE(ok) << ok.error();
    return out;
}

std::vector<std::uint8_t> as_vector(const std::string& text) {
    return {text.begin(), text.end()};
}

TEST(Codec, EveryCodecRoundTripsIncludingPrefixAndSuffix) {
    const std::string floats = "HEADER!" + test::float32_weights(100000) + "xyz";
    for (const auto& choice :
         {CodecChoice{BlobCodec::raw, 0, 0}, CodecChoice{BlobCodec::zstd, 0, 0},
          CodecChoice{BlobCodec::planes, 4, 7}, CodecChoice{BlobCodec::planes, 2, 7},
          CodecChoice{BlobCodec::planes, 8, 7}}) {
        EXPECT_EQ(roundtrip(floats, choice), as_vector(floats)) << to_string(choice.codec);
    }
}

TEST(Codec, ByteGroupingBeatsZstdOnFloats) {
    const std::string f32 = test::float32_weights(1 << 19);
    std::size_t zstd_size = 0;
    std::size_t planes_size = 0;
    BlobCodec used{};
    roundtrip(f32, {BlobCodec::zstd, 0, 0}, &used, &zstd_size);
    roundtrip(f32, {BlobCodec::planes, 4, 0}, &used, &planes_size);
    EXPECT_EQ(used, BlobCodec::planes);
    EXPECT_LT(planes_size, zstd_size);
    EXPECT_LT(static_cast<double>(planes_size) / f32.size(), 0.86);
    const std::string bf16 = test::bfloat16_weights(1 << 20);
    roundtrip(bf16, {BlobCodec::planes, 2, 0}, &used, &planes_size);
    EXPECT_LT(static_cast<double>(planes_size) / bf16.size(), 0.72);
}

TEST(Codec, IncompressibleBytesAreStoredRaw) {
    const std::string noise = mv::test::random_bytes(300000, 5);
    BlobCodec used{};
    std::size_t size = 0;
    EXPECT_EQ(roundtrip(noise, {BlobCodec::zstd, 0, 0}, &used, &size), as_vector(noise));
    EXPECT_EQ(used, BlobCodec::raw);
    EXPECT_EQ(size, noise.size());
}

TEST(Codec, ChoiceFollowsTheTypeOrTheSample) {
    CodecContext context;
    const CodecSettings automatic;
    const std::string f32 = test::float32_weights(200000);
    EXPECT_EQ(choose_codec(test::bytes_of(f32), ValueType::float32, 0, automatic, context),
              (CodecChoice{BlobCodec::planes, 4, 0}));
    // No type known: the sample decides.
    EXPECT_EQ(choose_codec(test::bytes_of(f32), ValueType::unknown, 0, automatic, context).codec,
              BlobCodec::planes);
    EXPECT_EQ(choose_codec(test::bytes_of(f32), ValueType::unknown, 0, automatic, context).width,
              4);
    const std::string bf16 = test::bfloat16_weights(400000);
    EXPECT_EQ(choose_codec(test::bytes_of(bf16), ValueType::unknown, 0, automatic, context).width,
              2);
    const std::string text(200000, 'a');
    EXPECT_EQ(choose_codec(test::bytes_of(text), ValueType::unknown, 0, automatic, context).codec,
              BlobCodec::zstd);
    const std::string noise = mv::test::random_bytes(200000, 2);
    EXPECT_EQ(choose_codec(test::bytes_of(noise), ValueType::unknown, 0, automatic, context).codec,
              BlobCodec::raw);
    // Plain zstd when the settings ask for it, raw for none.
    EXPECT_EQ(choose_codec(test::bytes_of(f32), ValueType::float32, 0,
                           {CodecSettings::Mode::zstd, 3}, context)
                  .codec,
              BlobCodec::zstd);
    EXPECT_EQ(choose_codec(test::bytes_of(f32), ValueType::float32, 0,
                           {CodecSettings::Mode::raw, 3}, context)
                  .codec,
              BlobCodec::raw);
}

// check_chunk is what a backup runs instead of decoding: it must accept exactly what
// decoding gives back, over several of its 64 KiB pieces and both kinds of plane.
TEST(Codec, CheckingAChunkAgreesWithDecodingIt) {
    const std::string floats = "HEADER!" + test::float32_weights(300000) + "xyz";
    for (const auto& choice :
         {CodecChoice{BlobCodec::raw, 0, 0}, CodecChoice{BlobCodec::zstd, 0, 0},
          CodecChoice{BlobCodec::planes, 4, 7}, CodecChoice{BlobCodec::planes, 2, 7},
          CodecChoice{BlobCodec::planes, 8, 7}}) {
        CodecContext context;
        ByteBuffer encoded;
        const BlobCodec codec = encode_chunk(test::bytes_of(floats), choice, 3, context, encoded);
        ASSERT_EQ(codec, choice.codec);
        auto same = check_chunk(encoded, codec, test::bytes_of(floats), context);
        EXPECT_TRUE(same) << to_string(codec) << ": " << same.error();
        for (const std::size_t at : {std::size_t{2}, floats.size() / 2, floats.size() / 2 + 3,
                                     floats.size() - 200000, floats.size() - 1}) {
            std::string other = floats;
            other[at] = static_cast<char>(other[at] ^ 0x10);
            EXPECT_FALSE(check_chunk(encoded, codec, test::bytes_of(other), context))
                << to_string(codec) << " missed a change at " << at;
        }
        const std::string longer = floats + "!";
        EXPECT_FALSE(check_chunk(encoded, codec, test::bytes_of(longer), context))
            << to_string(codec);
        const std::vector<std::uint8_t> truncated(encoded.begin(), encoded.end() - 1);
        EXPECT_FALSE(check_chunk(truncated, codec, test::bytes_of(floats), context))
            << to_string(codec);
    }
}

TEST(Codec, DamagedPlanesAreRefusedNotTrusted) {
    const std::string f32 = test::float32_weights(50000);
    CodecContext context;
    ByteBuffer encoded;
    ASSERT_EQ(encode_chunk(test::bytes_of(f32), {BlobCodec::planes, 4, 0}, 3, context, encoded),
              BlobCodec::planes);
    std::vector<std::uint8_t> out(f32.size());
    ASSERT_GT(encoded.size(), 1u);
    const std::vector<std::uint8_t> truncated(encoded.begin(), encoded.end() - 1);
    EXPECT_FALSE(decode_chunk(truncated, BlobCodec::planes, out, context));
    auto wrong_width = encoded;
    wrong_width[0] = 3;
    EXPECT_FALSE(decode_chunk(wrong_width, BlobCodec::planes, out, context));
    std::vector<std::uint8_t> short_out(f32.size() - 4);
    EXPECT_FALSE(decode_chunk(encoded, BlobCodec::planes, short_out, context));
}

} // namespace
} // namespace mv::store
