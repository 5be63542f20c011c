#include <gtest/gtest.h>

#include "crypto/aead.hpp"
#include "crypto/random.hpp"
#include "tests/unit/crypto/test_bytes.hpp"

namespace mv::crypto {
namespace {

using test::bytes_of;

// A chunk sealed the way an encrypted vault stores it: bound to its role and its id.
struct SealedChunk {
    Key key = random_key();
    std::vector<std::uint8_t> id = random_bytes(32);
    std::vector<std::uint8_t> plain = random_bytes(100'000);
    std::vector<std::uint8_t> sealed = seal(key, plain, associated_data(Role::chunk, id));
    Result<std::vector<std::uint8_t>> open_as_stored() const {
        return open(key, sealed, associated_data(Role::chunk, id));
    }
};

TEST(Aead, OpensWhatItSealedForEverySize) {
    const Key key = random_key();
    const auto associated = associated_data(Role::manifest, bytes_of("lab/dqn.pkl 1.0.0"));
    for (const std::size_t size : {0, 1, 15, 16, 17, 4096, 1 << 20}) {
        const auto plain = random_bytes(size);
        const auto sealed = seal(key, plain, associated);
        ASSERT_EQ(sealed.size(), size + k_seal_overhead);
        auto opened = open(key, sealed, associated);
        ASSERT_TRUE(opened) << size << ": " << opened.error();
        EXPECT_EQ(*opened, plain);
    }
}

TEST(Aead, EachSealHasAFreshNonceAndHidesThePlaintext) {
    const Key key = random_key();
    const auto plain = bytes_of(std::string(64, 'M'));
    const auto first = seal(key, plain, {});
    const auto second = seal(key, plain, {});
    // Same key, same plaintext: different nonces, so different ciphertexts.
    EXPECT_NE(std::vector(first.begin(), first.begin() + k_nonce_size),
              std::vector(second.begin(), second.begin() + k_nonce_size));
    EXPECT_NE(first, second);
    const std::string text(first.begin(), first.end());
    EXPECT_EQ(text.find("MMMMMMMM"), std::string::npos);
}

TEST(Aead, AFlippedBitAnywhereIsCaught) {
    SealedChunk chunk;
    ASSERT_TRUE(chunk.open_as_stored());
    // In the nonce, the ciphertext and the tag.
    for (const std::size_t at : {std::size_t{0}, k_nonce_size + 500, chunk.sealed.size() - 1}) {
        SealedChunk tampered = chunk;
        tampered.sealed[at] ^= 0x01;
        auto opened = tampered.open_as_stored();
        ASSERT_FALSE(opened) << "flipped byte " << at;
        EXPECT_NE(opened.error().find("does not authenticate"), std::string::npos);
    }
}

TEST(Aead, AChunkUnderAnotherNameOrRoleDoesNotOpen) {
    SealedChunk chunk;
    // Swapped: the same bytes presented as another chunk (a swapped pack entry).
    auto other_id = chunk.id;
    other_id[31] ^= 0x80;
    EXPECT_FALSE(open(chunk.key, chunk.sealed, associated_data(Role::chunk, other_id)));
    // Moved: the same bytes presented as an index or a manifest.
    EXPECT_FALSE(open(chunk.key, chunk.sealed, associated_data(Role::index, chunk.id)));
    EXPECT_FALSE(open(chunk.key, chunk.sealed, associated_data(Role::manifest, chunk.id)));
    EXPECT_FALSE(open(chunk.key, chunk.sealed, {}));
}

TEST(Aead, TruncatedOrExtendedObjectsAreCaught) {
    SealedChunk chunk;
    auto shorter = chunk;
    shorter.sealed.pop_back();
    EXPECT_FALSE(shorter.open_as_stored());
    auto longer = chunk;
    longer.sealed.push_back(0);
    EXPECT_FALSE(longer.open_as_stored());
    auto stub = chunk;
    stub.sealed.resize(k_seal_overhead - 1);
    auto opened = stub.open_as_stored();
    ASSERT_FALSE(opened);
    EXPECT_NE(opened.error().find("truncated: 27 bytes"), std::string::npos) << opened.error();
}

TEST(Aead, AnotherKeyDoesNotOpen) {
    SealedChunk chunk;
    auto opened = open(random_key(), chunk.sealed, associated_data(Role::chunk, chunk.id));
    ASSERT_FALSE(opened);
    EXPECT_NE(opened.error().find("the key is not this vault's"), std::string::npos);
}

TEST(Aead, SealAppendKeepsWhatWasThere) {
    const Key key = random_key();
    std::vector<std::uint8_t> out = bytes_of("LEAD");
    seal_append(key, bytes_of("payload"), {}, out);
    ASSERT_EQ(out.size(), 4 + 7 + k_seal_overhead);
    EXPECT_EQ(std::string(out.begin(), out.begin() + 4), "LEAD");
    auto opened = open(key, std::span(out).subspan(4), {});
    ASSERT_TRUE(opened);
    EXPECT_EQ(*opened, bytes_of("payload"));
}

TEST(Aead, AssociatedDataNamesTheRoleAndTheIdentity) {
    const auto data = associated_data(Role::pack_header, bytes_of("id"));
    EXPECT_EQ(std::string(data.begin(), data.end()), std::string("modelvault\0\x02id", 14));
    EXPECT_EQ(to_string(Role::pack_header), "pack header");
}

} // namespace
} // namespace mv::crypto
