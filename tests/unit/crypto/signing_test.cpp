#include <gtest/gtest.h>

#include "crypto/signing.hpp"
#include "tests/unit/crypto/test_bytes.hpp"

namespace mv::crypto {
namespace {

using test::bytes_of;
using test::unhex;

constexpr const char* k_manifest = "manifest";

TEST(Signing, DerivesTheRfc8032PublicKey) {
    // RFC 8032 §7.1, test 1.
    const auto seed = unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    const SigningKey key{Key(std::span<const std::uint8_t, 32>(seed.data(), 32))};
    EXPECT_EQ(to_hex(key.public_key().raw()),
              "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
}

TEST(Signing, VerifiesWithThePublicKeyAlone) {
    const SigningKey key = SigningKey::generate();
    const auto message = bytes_of(R"({"model":"lab/dqn.pkl","version":"1.0.0"})");
    const Signature signature = key.sign(k_manifest, message);
    // A third party gets only the PEM text.
    auto public_key = PublicKey::from_pem(key.public_key().to_pem());
    ASSERT_TRUE(public_key) << public_key.error();
    EXPECT_TRUE(public_key->verify(k_manifest, message, signature));
}

TEST(Signing, ASignatureByAnotherKeyFails) {
    const SigningKey ours = SigningKey::generate();
    const SigningKey theirs = SigningKey::generate();
    const auto message = bytes_of("model bytes");
    EXPECT_FALSE(ours.public_key().verify(k_manifest, message, theirs.sign(k_manifest, message)));
    EXPECT_NE(ours.public_key().fingerprint(), theirs.public_key().fingerprint());
    EXPECT_EQ(ours.public_key().fingerprint().size(), 16u);
}

TEST(Signing, AChangedMessageContextOrSignatureFails) {
    const SigningKey key = SigningKey::generate();
    const auto message = bytes_of("version 1.0.0");
    const Signature signature = key.sign(k_manifest, message);
    auto changed = message;
    changed[0] ^= 1;
    EXPECT_FALSE(key.public_key().verify(k_manifest, changed, signature));
    EXPECT_FALSE(key.public_key().verify("index", message, signature));
    auto bad = signature;
    bad[10] ^= 1;
    EXPECT_FALSE(key.public_key().verify(k_manifest, message, bad));
    EXPECT_FALSE(key.public_key().verify(k_manifest, message, std::span(signature).first(63)));
}

TEST(Signing, RefusesPemThatIsNotAnEd25519PublicKey) {
    auto garbage = PublicKey::from_pem("not a key");
    ASSERT_FALSE(garbage);
    EXPECT_NE(garbage.error().find("is not a PEM public key"), std::string::npos);
    // An X25519 key (same size, wrong algorithm), as `openssl genpkey -algorithm X25519`.
    auto x25519 =
        PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\n"
                            "MCowBQYDK2VuAyEAqb+ps8aNk7fOrnHkkO5tY2YQXWxb0UYJQ1ppK17K/lU=\n"
                            "-----END PUBLIC KEY-----\n");
    ASSERT_FALSE(x25519);
    EXPECT_NE(x25519.error().find("X25519 public key, not an Ed25519 one"), std::string::npos)
        << x25519.error();
}

TEST(Signing, ThePrivateKeyIsSealedUnderTheMasterKey) {
    const MasterKey master = MasterKey::generate();
    const SigningKey key = SigningKey::generate();
    const auto sealed = key.seal(master);
    auto opened = SigningKey::open(master, sealed, key.public_key());
    ASSERT_TRUE(opened) << opened.error();
    EXPECT_EQ(opened->public_key(), key.public_key());
    // Another vault's master key, or another public key, does not open it.
    EXPECT_FALSE(SigningKey::open(MasterKey::generate(), sealed, key.public_key()));
    EXPECT_FALSE(SigningKey::open(master, sealed, SigningKey::generate().public_key()));
    auto truncated = sealed;
    truncated.pop_back();
    EXPECT_FALSE(SigningKey::open(master, truncated, key.public_key()));
}

} // namespace
} // namespace mv::crypto
