#include <gtest/gtest.h>

#include "crypto/kdf.hpp"
#include "tests/unit/crypto/test_bytes.hpp"

namespace mv::crypto {
namespace {

using test::bytes_of;
using test::unhex;

TEST(Hkdf, MatchesRfc5869TestCase1) {
    const auto input = unhex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    const auto salt = unhex("000102030405060708090a0b0c");
    const auto info = unhex("f0f1f2f3f4f5f6f7f8f9");
    const Key key = hkdf_sha256(
        input, salt, std::string_view(reinterpret_cast<const char*>(info.data()), info.size()));
    // The first 32 of the RFC's 42 output bytes (HKDF output is a prefix-stable stream).
    EXPECT_EQ(to_hex(key.bytes()),
              "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
}

TEST(Hkdf, EachPurposeGetsItsOwnKey) {
    const auto input = bytes_of(std::string(32, 'k'));
    EXPECT_FALSE(hkdf_sha256(input, {}, "one") == hkdf_sha256(input, {}, "two"));
    EXPECT_TRUE(hkdf_sha256(input, {}, "one") == hkdf_sha256(input, {}, "one"));
}

TEST(Scrypt, MatchesRfc7914TestVector2) {
    auto key = scrypt("password", bytes_of("NaCl"), {1024, 8, 16});
    ASSERT_TRUE(key) << key.error();
    EXPECT_EQ(to_hex(key->bytes()),
              "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162");
}

TEST(Scrypt, RefusesCostsOutOfRangeAndSaysWhich) {
    const std::pair<ScryptParams, const char*> cases[] = {
        {{1000, 8, 1}, "N = 1000 is not a power of two"},
        {{512, 8, 1}, "N = 512 is not a power of two from 1024"},
        {{std::uint64_t{1} << 23, 8, 1}, "N = 8388608"},
        {{1024, 0, 1}, "r = 0"},
        {{1024, 8, 17}, "p = 17"},
        {{std::uint64_t{1} << 22, 32, 1}, "would need 16384 MiB"},
    };
    for (const auto& [params, expected] : cases) {
        auto key = scrypt("pw", bytes_of("salt"), params);
        ASSERT_FALSE(key) << expected;
        EXPECT_NE(key.error().find(expected), std::string::npos) << key.error();
    }
    EXPECT_TRUE(check_scrypt_params({}));
}

} // namespace
} // namespace mv::crypto
