#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crypto/key_record.hpp"
#include "tests/unit/crypto/test_bytes.hpp"

namespace mv::crypto {
namespace {

using test::k_origin;

UserKey passphrase_key(std::string text) {
    auto key = parse_user_key(std::move(text), "/etc/modelvault/passphrase");
    EXPECT_TRUE(key);
    return std::move(*key);
}

UserKey random_user_key(char digit) {
    auto key = parse_user_key(std::string(64, digit), "/etc/modelvault/vault.key");
    EXPECT_TRUE(key);
    return std::move(*key);
}

TEST(KeyRecord, WrapsAndUnwrapsTheMasterKeyWithAKeyFile) {
    const MasterKey master = MasterKey::generate();
    const KeyRecord record =
        *wrap_master_key(master, random_user_key('1'), new_record_id(), k_origin);
    auto parsed = parse_key_record(encode_key_record(record));
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(parsed->origin, "/etc/modelvault/vault.key");
    EXPECT_EQ(parsed->host, "trainer-1");
    auto opened = unwrap_master_key(*parsed, random_user_key('1'));
    ASSERT_TRUE(opened && *opened);
    EXPECT_TRUE((*opened)->raw() == master.raw());
    EXPECT_TRUE((*opened)->data_key() == master.data_key());
    // Another key file does not open it (and is not an error: the next record may).
    auto other = unwrap_master_key(*parsed, random_user_key('2'));
    ASSERT_TRUE(other);
    EXPECT_FALSE(*other);
}

TEST(KeyRecord, APassphraseIsStretchedWithTheStoredScryptCost) {
    const MasterKey master = MasterKey::generate();
    const KeyRecord record =
        *wrap_master_key(master, passphrase_key("a long passphrase\n"), new_record_id(), k_origin);
    const auto document = nlohmann::json::parse(encode_key_record(record));
    EXPECT_EQ(document["kind"], "passphrase file");
    EXPECT_EQ(document["kdf"]["name"], "scrypt");
    EXPECT_EQ(document["kdf"]["n"], 1024);
    EXPECT_EQ(document["kdf"]["salt"].get<std::string>().size(), 64u);
    auto parsed = parse_key_record(document.dump());
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->scrypt, k_origin.scrypt);
    auto opened = unwrap_master_key(*parsed, passphrase_key("a long passphrase"));
    ASSERT_TRUE(opened && *opened);
    EXPECT_TRUE((*opened)->raw() == master.raw());
    EXPECT_FALSE(*unwrap_master_key(*parsed, passphrase_key("a long passphrasE")));
}

TEST(KeyRecord, TheMasterKeyNeverAppearsInTheRecord) {
    const MasterKey master = MasterKey::generate();
    const std::string text = encode_key_record(
        *wrap_master_key(master, random_user_key('1'), "0123456789abcdef", k_origin));
    const auto raw = master.raw().bytes();
    EXPECT_EQ(text.find(std::string(raw.begin(), raw.end())), std::string::npos);
    EXPECT_EQ(text.find(std::string(64, '1')), std::string::npos);
}

TEST(KeyRecord, ATamperedOrRenumberedRecordDoesNotOpen) {
    const MasterKey master = MasterKey::generate();
    const KeyRecord record =
        *wrap_master_key(master, random_user_key('1'), new_record_id(), k_origin);
    KeyRecord flipped = record;
    flipped.wrapped[20] ^= 1;
    EXPECT_FALSE(*unwrap_master_key(flipped, random_user_key('1')));
    // The wrapped key copied under another id: the id is bound as associated data.
    KeyRecord moved = record;
    moved.id = "ffffffffffffffff";
    EXPECT_FALSE(*unwrap_master_key(moved, random_user_key('1')));
    KeyRecord salted = record;
    salted.salt[0] ^= 1;
    EXPECT_FALSE(*unwrap_master_key(salted, random_user_key('1')));
}

TEST(KeyRecord, BadRecordsAreRefusedNamingTheField) {
    const KeyRecord record =
        *wrap_master_key(MasterKey::generate(), passphrase_key("pw"), new_record_id(), k_origin);
    const auto good = nlohmann::json::parse(encode_key_record(record));
    const std::pair<std::function<void(nlohmann::json&)>, const char*> cases[] = {
        {[](auto& d) { d["format"] = "restic"; }, "is not a modelvault key record"},
        {[](auto& d) { d["version"] = 2; }, "is not a modelvault key record"},
        {[](auto& d) { d["id"] = "XYZ"; }, "\"id\" that is not 16 lowercase hex"},
        {[](auto& d) { d.erase("host"); }, "\"host\" is missing"},
        {[](auto& d) { d["kind"] = "token"; }, "unknown \"kind\" \"token\""},
        {[](auto& d) { d["kdf"]["name"] = "hkdf-sha256"; }, "does not fit \"kind\""},
        {[](auto& d) { d["kdf"]["n"] = 3; }, "scrypt N = 3 is not a power of two"},
        {[](auto& d) { d["kdf"]["p"] = "1"; }, "\"kdf\".\"p\" is missing or not a number"},
        {[](auto& d) { d["kdf"]["salt"] = "00"; }, "\"salt\" is not hex of at least 16"},
        {[](auto& d) { d["master_key"] = "zz"; }, "\"master_key\" is not hex"},
    };
    for (const auto& [change, expected] : cases) {
        auto document = good;
        change(document);
        auto parsed = parse_key_record(document.dump());
        ASSERT_FALSE(parsed) << expected;
        EXPECT_NE(parsed.error().find(expected), std::string::npos) << parsed.error();
    }
    EXPECT_FALSE(parse_key_record("[]"));
    EXPECT_FALSE(parse_key_record(std::string(100, '[')));
}

TEST(KeyRecord, AnUnaffordableScryptCostFailsInsteadOfThrowing) {
    const RecordOrigin costly{"2026-11-30T17:00:00Z", "h", {std::uint64_t{1} << 23, 8, 1}};
    auto record =
        wrap_master_key(MasterKey::generate(), passphrase_key("pw"), "0123456789abcdef", costly);
    ASSERT_FALSE(record);
    EXPECT_NE(record.error().find("passphrase file /etc/modelvault/passphrase: scrypt N"),
              std::string::npos)
        << record.error();
}

} // namespace
} // namespace mv::crypto
