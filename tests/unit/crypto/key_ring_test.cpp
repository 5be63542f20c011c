#include <gtest/gtest.h>

#include "crypto/key_ring.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/unit/crypto/test_bytes.hpp"

namespace mv::crypto {
namespace {

using test::contains;
using test::k_origin;

// A vault's keys/ and tmp/ folders, and key files to open it with.
struct Vault {
    mv::test::TempDir dir{"keyring"};
    KeyRing ring{dir / "keys", dir.path()};

    UserKey key_file(const std::string& name) {
        const auto path = dir / name;
        if (!std::filesystem::exists(path)) {
            EXPECT_TRUE(create_key_file(path));
        }
        auto key = read_user_key(path);
        EXPECT_TRUE(key) << key.error();
        return std::move(*key);
    }
    // The first record, wrapping a new master key.
    Result<Unlocked> create(const std::string& name) {
        Unlocked made{MasterKey::generate(), {}};
        auto id = ring.create(made.master, key_file(name), k_origin);
        if (!id) {
            return failure(id.error());
        }
        made.record_id = *id;
        return made;
    }
    UserKey passphrase(const std::string& name, const std::string& text) {
        mv::test::write_file(dir / name, text);
        return std::move(*read_user_key(dir / name));
    }
};

TEST(KeyRing, CreatesAVaultKeyThatOpensAgain) {
    Vault vault;
    auto created = vault.create("a.key");
    ASSERT_TRUE(created) << created.error();
    auto opened = vault.ring.unlock(vault.key_file("a.key"));
    ASSERT_TRUE(opened) << opened.error();
    EXPECT_TRUE(opened->master.raw() == created->master.raw());
    EXPECT_EQ(opened->record_id, created->record_id);
    // The record is private to its owner, like the key file.
    const auto record = vault.dir / "keys" / (created->record_id + ".json");
    EXPECT_EQ(std::filesystem::status(record).permissions(), std::filesystem::perms::owner_read);
    // A second master key is refused.
    auto again = vault.create("b.key");
    ASSERT_FALSE(again);
    EXPECT_TRUE(contains(again.error(), "already holds the keys of a vault"));
}

TEST(KeyRing, AWrongKeyIsNamedWithWhatToDo) {
    Vault vault;
    ASSERT_TRUE(vault.create("a.key"));
    auto opened = vault.ring.unlock(vault.key_file("other.key"));
    ASSERT_FALSE(opened);
    EXPECT_TRUE(contains(opened.error(), "key file " + (vault.dir / "other.key").string() +
                                             " opens none of the 1 keys of this vault"))
        << opened.error();
    EXPECT_TRUE(contains(opened.error(), "`modelvaultctl key list`"));
}

TEST(KeyRing, AnEmptyFolderHasNoKey) {
    Vault vault;
    auto opened = vault.ring.unlock(vault.key_file("a.key"));
    ASSERT_FALSE(opened);
    EXPECT_TRUE(contains(opened.error(), "holds no key record")) << opened.error();
}

TEST(KeyRing, KeysAreAddedAndRemovedWithoutChangingTheMasterKey) {
    Vault vault;
    auto created = vault.create("a.key");
    ASSERT_TRUE(created);
    // Add a key file and a passphrase: each opens the same master key.
    auto second = vault.ring.add(created->master, vault.key_file("b.key"), k_origin);
    ASSERT_TRUE(second) << second.error();
    auto third = vault.ring.add(created->master, vault.passphrase("p", "open sesame\n"), k_origin);
    ASSERT_TRUE(third) << third.error();
    auto by_passphrase = vault.ring.unlock(vault.passphrase("p2", "open sesame"));
    ASSERT_TRUE(by_passphrase) << by_passphrase.error();
    EXPECT_EQ(by_passphrase->record_id, *third);
    EXPECT_TRUE(by_passphrase->master.raw() == created->master.raw());
    auto listing = vault.ring.list();
    ASSERT_TRUE(listing);
    ASSERT_EQ(listing->records.size(), 3u);
    EXPECT_TRUE(listing->damaged.empty());
    // Remove the first key while open with the second.
    auto removed = vault.ring.remove(created->record_id.substr(0, 6), *second);
    ASSERT_TRUE(removed) << removed.error();
    EXPECT_EQ(*removed, created->record_id);
    EXPECT_FALSE(vault.ring.unlock(vault.key_file("a.key")));
    auto by_second = vault.ring.unlock(vault.key_file("b.key"));
    ASSERT_TRUE(by_second);
    EXPECT_TRUE(by_second->master.raw() == created->master.raw());
}

TEST(KeyRing, RefusesAKeyTwiceTheKeyInUseAndTheLastKey) {
    Vault vault;
    auto created = vault.create("a.key");
    ASSERT_TRUE(created);
    auto twice = vault.ring.add(created->master, vault.key_file("a.key"), k_origin);
    ASSERT_FALSE(twice);
    EXPECT_TRUE(contains(twice.error(), "is already key " + created->record_id));
    auto in_use = vault.ring.remove(created->record_id, created->record_id);
    ASSERT_FALSE(in_use);
    EXPECT_TRUE(contains(in_use.error(), "is the one the vault is open with"));
    auto last = vault.ring.remove(created->record_id, "");
    ASSERT_FALSE(last);
    EXPECT_TRUE(contains(last.error(), "is the vault's only key"));
    EXPECT_TRUE(contains(vault.ring.remove("ab", "").error(), "too short"));
    EXPECT_TRUE(contains(vault.ring.remove("0000000", "").error(), "no key of this vault"));
    EXPECT_TRUE(vault.ring.unlock(vault.key_file("a.key")));
}

TEST(KeyRing, ACrashDuringAddLeavesTheOldKeyWorking) {
    Vault vault;
    auto created = vault.create("a.key");
    ASSERT_TRUE(created);
    // What a crash during `key add` can leave: a torn temporary in keys/ or tmp/ (the
    // record itself is renamed into place whole, or not at all).
    mv::test::write_file(vault.dir / "keys" / ".0123456789abcdef.json.1.tmp", "{\"form");
    mv::test::write_file(vault.dir / "keys" / "0123456789abcdef.json.tmp", "{");
    auto opened = vault.ring.unlock(vault.key_file("a.key"));
    ASSERT_TRUE(opened) << opened.error();
    EXPECT_EQ(opened->record_id, created->record_id);
    EXPECT_EQ(vault.ring.list()->records.size(), 1u);
    EXPECT_TRUE(vault.ring.list()->damaged.empty());
}

TEST(KeyRing, DamagedRecordsAreListedAndDoNotStopTheOthers) {
    Vault vault;
    auto created = vault.create("a.key");
    ASSERT_TRUE(created);
    mv::test::write_file(vault.dir / "keys" / "00000000000000aa.json", "not json");
    const auto record = vault.dir / "keys" / (created->record_id + ".json");
    std::filesystem::copy_file(record, vault.dir / "keys" / "00000000000000bb.json");
    auto listing = vault.ring.list();
    ASSERT_TRUE(listing);
    EXPECT_EQ(listing->records.size(), 1u);
    ASSERT_EQ(listing->damaged.size(), 2u);
    EXPECT_TRUE(contains(listing->damaged[0], "00000000000000aa.json is not a JSON object"))
        << listing->damaged[0];
    EXPECT_TRUE(contains(listing->damaged[1], "it was renamed")) << listing->damaged[1];
    EXPECT_TRUE(vault.ring.unlock(vault.key_file("a.key")));
    // With its only good record gone, the damage is what the error shows.
    std::filesystem::remove(record);
    auto opened = vault.ring.unlock(vault.key_file("a.key"));
    ASSERT_FALSE(opened);
    EXPECT_TRUE(contains(opened.error(), "holds no key record that can be read"));
    EXPECT_TRUE(contains(opened.error(), "00000000000000aa.json is not a JSON object"));
}

} // namespace
} // namespace mv::crypto
