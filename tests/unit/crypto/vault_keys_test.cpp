#include <gtest/gtest.h>

#include "crypto/vault_keys.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/unit/crypto/test_bytes.hpp"

namespace mv::crypto {
namespace {

using test::contains;
using test::k_origin;

struct KeysVault {
    mv::test::TempDir dir{"vault-keys"};
    std::filesystem::path keys = dir / "keys";

    UserKey key_file(const std::string& name) {
        const auto path = dir / name;
        if (!std::filesystem::exists(path)) {
            EXPECT_TRUE(create_key_file(path));
        }
        return std::move(*read_user_key(path));
    }
};

TEST(VaultKeys, OpenWithTheKeyFileGivesTheSameKeysBack) {
    KeysVault vault;
    auto created =
        create_vault_keys(vault.keys, vault.dir.path(), vault.key_file("a.key"), k_origin);
    ASSERT_TRUE(created) << created.error();
    auto opened = open_vault_keys(vault.keys, vault.dir.path(), vault.key_file("a.key"));
    ASSERT_TRUE(opened) << opened.error();
    EXPECT_TRUE(opened->master.raw() == created->master.raw());
    EXPECT_EQ(opened->signing.public_key(), created->signing.public_key());
    EXPECT_EQ(opened->record_id, created->record_id);
    // The public key is readable without any key, and only it is in clear.
    auto public_key = read_vault_public_key(vault.keys);
    ASSERT_TRUE(public_key) << public_key.error();
    EXPECT_EQ(*public_key, created->signing.public_key());
    EXPECT_FALSE(
        create_vault_keys(vault.keys, vault.dir.path(), vault.key_file("b.key"), k_origin));
}

TEST(VaultKeys, ASignatureOfOneVaultFailsWithAnothersPublicKey) {
    KeysVault first;
    KeysVault second;
    auto one = create_vault_keys(first.keys, first.dir.path(), first.key_file("k"), k_origin);
    auto two = create_vault_keys(second.keys, second.dir.path(), second.key_file("k"), k_origin);
    ASSERT_TRUE(one && two);
    const auto message = test::bytes_of("manifest bytes");
    const auto signature = one->signing.sign("manifest", message);
    EXPECT_TRUE(read_vault_public_key(first.keys)->verify("manifest", message, signature));
    EXPECT_FALSE(read_vault_public_key(second.keys)->verify("manifest", message, signature));
}

TEST(VaultKeys, AMissingOrDamagedSigningKeyIsNamed) {
    KeysVault vault;
    ASSERT_TRUE(create_vault_keys(vault.keys, vault.dir.path(), vault.key_file("a.key"), k_origin));
    const auto file = vault.keys / "signing.json";
    std::string text = mv::test::read_file(file);
    // A flipped digit in the sealed private key.
    const auto at = text.find("\"private_key\": \"") + 20;
    text[at] = text[at] == '0' ? '1' : '0';
    std::filesystem::remove(file);
    mv::test::write_file(file, text);
    auto opened = open_vault_keys(vault.keys, vault.dir.path(), vault.key_file("a.key"));
    ASSERT_FALSE(opened);
    EXPECT_TRUE(contains(opened.error(),
                         "the vault's signing key " + file.string() + " does not authenticate"))
        << opened.error();
    std::filesystem::remove(file);
    opened = open_vault_keys(vault.keys, vault.dir.path(), vault.key_file("a.key"));
    ASSERT_FALSE(opened);
    EXPECT_TRUE(contains(opened.error(), "the vault's signing key is unreadable"))
        << opened.error();
}

TEST(VaultKeys, PublicKeyFilesAreReadOrRefusedNamingTheFile) {
    KeysVault vault;
    auto created =
        create_vault_keys(vault.keys, vault.dir.path(), vault.key_file("a.key"), k_origin);
    ASSERT_TRUE(created);
    mv::test::write_file(vault.dir / "vault.pub", created->signing.public_key().to_pem());
    auto key = read_public_key_file(vault.dir / "vault.pub");
    ASSERT_TRUE(key) << key.error();
    EXPECT_EQ(*key, created->signing.public_key());
    auto wrong = read_public_key_file(vault.dir / "a.key");
    ASSERT_FALSE(wrong);
    EXPECT_TRUE(contains(wrong.error(), "public key file " + (vault.dir / "a.key").string() +
                                            " is not a PEM public key"));
    auto missing = read_public_key_file(vault.dir / "none.pub");
    ASSERT_FALSE(missing);
    EXPECT_TRUE(contains(missing.error(), "none.pub")) << missing.error();
}

} // namespace
} // namespace mv::crypto
