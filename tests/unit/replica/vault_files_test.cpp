#include <gtest/gtest.h>

#include "replica/vault_files.hpp"
#include "tests/lib/temp_dir.hpp"

namespace mv::replica {
namespace {

const std::string k_hex = "ab" + std::string(62, '0');

TEST(VaultFiles, OnlyTheVaultsOwnFilesAreReplicated) {
    EXPECT_TRUE(is_replicated_key("vault.json"));
    EXPECT_TRUE(is_replicated_key("packs/ab/" + k_hex));
    EXPECT_TRUE(is_replicated_key("manifests/" + k_hex + ".json"));
    EXPECT_TRUE(is_replicated_key("models/lab/dqn%20v2.pkl/history.jsonl"));

    EXPECT_FALSE(is_replicated_key("packs/cd/" + k_hex)) << "folder must be the name's start";
    EXPECT_FALSE(is_replicated_key("packs/ab/" + k_hex + "x"));
    EXPECT_FALSE(is_replicated_key("packs/AB/AB" + std::string(62, '0')));
    EXPECT_FALSE(is_replicated_key("manifests/" + k_hex));
    EXPECT_TRUE(is_replicated_key("index/" + k_hex));
    EXPECT_TRUE(is_replicated_key("keys/0123456789abcdef.json"));
    EXPECT_TRUE(is_replicated_key("keys/signing.json"));
    EXPECT_TRUE(is_replicated_key("signatures/" + k_hex + ".json"));
    EXPECT_FALSE(is_replicated_key("signatures/" + k_hex + ".json.tmp"));
    EXPECT_FALSE(is_replicated_key("signatures/0123.json"));
    EXPECT_FALSE(is_replicated_key("keys/0123456789abcdef.json.tmp"));
    EXPECT_FALSE(is_replicated_key("keys/../vault.json"));
    EXPECT_FALSE(is_replicated_key("index/" + k_hex + ".tmp"));
    EXPECT_FALSE(is_replicated_key("index/AB" + std::string(62, '0')));
    EXPECT_FALSE(is_replicated_key("state/lock"));
    EXPECT_FALSE(is_replicated_key("tmp/x"));
    EXPECT_FALSE(is_replicated_key("models/../../etc/history.jsonl"));
    EXPECT_FALSE(is_replicated_key("models/.hidden/history.jsonl"));
    EXPECT_FALSE(is_replicated_key("../vault.json"));
}

TEST(VaultFiles, ContentAddressedKeysNameTheirHash) {
    EXPECT_EQ(expected_sha256("packs/ab/" + k_hex), k_hex);
    EXPECT_EQ(expected_sha256("manifests/" + k_hex + ".json"), k_hex);
    EXPECT_EQ(expected_sha256("index/" + k_hex), k_hex);
    EXPECT_EQ(expected_sha256("vault.json"), "");
    EXPECT_EQ(expected_sha256("models/m/history.jsonl"), "");
}

TEST(VaultFiles, ListsManifestsFirstAndSkipsEverythingElse) {
    test::TempDir vault("replica-files");
    test::write_file(vault / "vault.json", "{}");
    test::write_file(vault / "packs/ab" / k_hex, "pack");
    test::write_file(vault / "manifests" / (k_hex + ".json"), "manifest");
    test::write_file(vault / "models/lab/m/history.jsonl", "h\n");
    test::write_file(vault / "index" / k_hex, "index");
    test::write_file(vault / "keys/0123456789abcdef.json", "{}");
    test::write_file(vault / "tmp/pack-in-progress", "x");
    test::write_file(vault / "state/lock", "1");
    test::write_file(vault / "packs/ab/not-a-pack", "x");

    const auto files = list_vault_files(vault.path());
    ASSERT_EQ(files.size(), 6u);
    EXPECT_EQ(files[0].key, "manifests/" + k_hex + ".json");
    EXPECT_EQ(files[0].role, FileRole::manifest);
    EXPECT_EQ(files[0].size, 8u);
    EXPECT_EQ(files[1].key, "vault.json");
    EXPECT_EQ(files[2].key, "packs/ab/" + k_hex);
    EXPECT_EQ(files[2].role, FileRole::data);
    EXPECT_EQ(files[3].key, "index/" + k_hex);
    EXPECT_EQ(files[3].role, FileRole::data);
    EXPECT_EQ(files[4].key, "keys/0123456789abcdef.json");
    EXPECT_EQ(files[4].role, FileRole::data);
    EXPECT_EQ(files[5].key, "models/lab/m/history.jsonl");
    EXPECT_EQ(files[5].role, FileRole::history);
}

TEST(VaultFiles, AnEmptyFolderHasNoFiles) {
    test::TempDir vault("replica-files");
    EXPECT_TRUE(list_vault_files(vault.path()).empty());
}

} // namespace
} // namespace mv::replica
