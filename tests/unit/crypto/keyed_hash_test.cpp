#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include "crypto/keyed_hash.hpp"
#include "crypto/random.hpp"
#include "tests/unit/crypto/test_bytes.hpp"

namespace mv::crypto {
namespace {

using test::bytes_of;

TEST(KeyedHash, IsHmacSha256) {
    // RFC 4231 test case 6 uses a 131-byte key; with a 32-byte key compare with
    // OpenSSL's one-shot HMAC() instead.
    const Key key = random_key();
    const auto data = random_bytes(3 << 20);
    std::array<std::uint8_t, 32> expected{};
    unsigned length = 0;
    HMAC(EVP_sha256(), key.bytes().data(), static_cast<int>(key.bytes().size()), data.data(),
         data.size(), expected.data(), &length);
    EXPECT_EQ(KeyedHash(key)(data), expected);
}

TEST(KeyedHash, EqualContentInTwoVaultsGetsUnrelatedNames) {
    const auto chunk = bytes_of("the same tensor bytes in two vaults");
    const KeyedHash first(random_key());
    const KeyedHash second(random_key());
    EXPECT_NE(first(chunk), second(chunk));
    EXPECT_EQ(first(chunk), first(chunk));
    EXPECT_NE(first(chunk), first(bytes_of("other bytes")));
}

} // namespace
} // namespace mv::crypto
