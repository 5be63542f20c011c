// Padding must be invisible to every decoder: the system's zstd/gzip/xz tools and
// libarchive must decompress stream + padding + stream to the two payloads joined.
#include <gtest/gtest.h>

#include "tests/lib/process.hpp"
#include "tests/lib/temp_dir.hpp"
#include "vault/codec.hpp"

namespace mv::vault {
namespace {

struct CodecCase {
    config::Codec codec;
    const char* decompress; // system command reading the file named by $1
    std::size_t padding;
};

class CodecPadding : public ::testing::TestWithParam<CodecCase> {};

TEST_P(CodecPadding, SystemDecoderIgnoresPadding) {
    const auto& param = GetParam();
    test::TempDir dir("codec");
    config::Compression compression{param.codec, param.codec == config::Codec::xz ? 6 : 3, 1};
    auto first = compress_stream(compression, "hello ");
    auto second = compress_stream(compression, "world");
    ASSERT_TRUE(first && second);
    auto pad = padding(param.codec, param.padding);
    ASSERT_TRUE(pad) << pad.error();
    EXPECT_EQ(pad->size(), param.padding);
    test::write_file(dir / "stream", *first + *pad + *second);
    const auto decoded =
        test::run({"/bin/sh", "-c", std::string(param.decompress) + " stream"},
                  {.env = {}, .cwd = dir.path(), .input = {}, .timeout = std::chrono::seconds(30)});
    EXPECT_EQ(decoded.exit_code, 0) << decoded.err;
    EXPECT_EQ(decoded.out, "hello world");
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecPadding,
                         ::testing::Values(CodecCase{config::Codec::zstd, "zstd -dc", 8},
                                           CodecCase{config::Codec::zstd, "zstd -dc", 70000},
                                           CodecCase{config::Codec::gzip, "gzip -dc", 26},
                                           CodecCase{config::Codec::gzip, "gzip -dc", 65557},
                                           CodecCase{config::Codec::gzip, "gzip -dc",
                                                     65570}, // two members
                                           CodecCase{config::Codec::gzip, "gzip -dc", 200000},
                                           CodecCase{config::Codec::xz, "xz -dc", 4},
                                           CodecCase{config::Codec::xz, "xz -dc", 4096}));

TEST(CodecPaddingLimits, RefusesSizesACodecCannotExpress) {
    EXPECT_FALSE(padding(config::Codec::zstd, 7));
    EXPECT_FALSE(padding(config::Codec::gzip, 25));
    EXPECT_FALSE(padding(config::Codec::xz, 6));
    EXPECT_FALSE(padding(config::Codec::none, 4));
    EXPECT_TRUE(padding(config::Codec::none, 0));
}

TEST(CodecBound, HoldsForIncompressibleDataOfAnySize) {
    for (std::size_t size : {0u, 1u, 100u, 1024u, 4096u, 65536u, 300000u}) {
        const std::string noise = test::random_bytes(size, 7);
        for (auto codec : {config::Codec::zstd, config::Codec::gzip, config::Codec::xz}) {
            for (int level : {1, codec == config::Codec::zstd ? 19 : 9}) {
                auto compressed = compress_stream({codec, level, 1}, noise);
                ASSERT_TRUE(compressed);
                EXPECT_LE(compressed->size(), compressed_bound(codec, noise.size()))
                    << config::to_string(codec) << " level " << level << " size " << size;
            }
        }
    }
}

} // namespace
} // namespace mv::vault
