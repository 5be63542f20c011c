#include <sys/stat.h>

#include <gtest/gtest.h>

#include "crypto/key_file.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/unit/crypto/test_bytes.hpp"

namespace mv::crypto {
namespace {

using test::contains;

unsigned mode_of(const std::filesystem::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
}

TEST(KeyFile, InitMakesAPrivateRandomKeyFile) {
    mv::test::TempDir dir("key");
    const auto file = dir / "vault.key";
    ASSERT_TRUE(create_key_file(file));
    EXPECT_EQ(mode_of(file), 0400u);
    const std::string text = mv::test::read_file(file);
    EXPECT_EQ(text.size(), 65u);
    EXPECT_EQ(text.find_first_not_of("0123456789abcdef"), 64u);
    auto key = read_user_key(file);
    ASSERT_TRUE(key) << key.error();
    EXPECT_EQ(key->kind, UserKeyKind::random);
    EXPECT_TRUE(key->warnings.empty());
    // Only the key file is left: no temporary beside it.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(KeyFile, TwoInitsMakeDifferentKeys) {
    mv::test::TempDir dir("key");
    ASSERT_TRUE(create_key_file(dir / "a"));
    ASSERT_TRUE(create_key_file(dir / "b"));
    EXPECT_FALSE(read_user_key(dir / "a")->random == read_user_key(dir / "b")->random);
}

TEST(KeyFile, InitNeverReplacesAFile) {
    mv::test::TempDir dir("key");
    mv::test::write_file(dir / "vault.key", "the only copy");
    auto made = create_key_file(dir / "vault.key");
    ASSERT_FALSE(made);
    EXPECT_TRUE(contains(made.error(), "already exists: a key file is never replaced"));
    EXPECT_EQ(mv::test::read_file(dir / "vault.key"), "the only copy");
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(KeyFile, ContentDecidesKeyOrPassphrase) {
    const std::string hex(64, 'a');
    EXPECT_EQ(parse_user_key(hex, "f")->kind, UserKeyKind::random);
    EXPECT_EQ(parse_user_key(hex + "\n", "f")->kind, UserKeyKind::random);
    std::string raw(32, '\x01');
    EXPECT_EQ(parse_user_key(raw, "f")->kind, UserKeyKind::random);
    // 32 printable characters are a passphrase, not a raw key.
    auto phrase = parse_user_key("correct horse battery staple 123\n", "f");
    ASSERT_TRUE(phrase);
    EXPECT_EQ(phrase->kind, UserKeyKind::passphrase);
    EXPECT_EQ(phrase->passphrase, "correct horse battery staple 123");
    // 64 characters that are not all hex are a passphrase too.
    EXPECT_EQ(parse_user_key(std::string(63, 'a') + "g", "f")->kind, UserKeyKind::passphrase);
}

TEST(KeyFile, EmptyOrHugeFilesAreRefusedWithTheFileNamed) {
    auto empty = parse_user_key("\n", "/etc/modelvault/vault.key");
    ASSERT_FALSE(empty);
    EXPECT_TRUE(contains(empty.error(), "key file /etc/modelvault/vault.key is empty"));
    auto huge = parse_user_key(std::string(2000, 'x'), "/k");
    ASSERT_FALSE(huge);
    EXPECT_TRUE(contains(huge.error(), "key file /k holds 2000 bytes"));
}

TEST(KeyFile, AMissingFileSaysHowToMakeOne) {
    mv::test::TempDir dir("key");
    auto key = read_user_key(dir / "nope.key");
    ASSERT_FALSE(key);
    EXPECT_TRUE(contains(key.error(), "nope.key does not exist: make one with `modelvaultctl "
                                      "key init"))
        << key.error();
}

TEST(KeyFile, AFolderOrFifoIsNotAKeyFile) {
    mv::test::TempDir dir("key");
    auto folder = read_user_key(dir.path());
    ASSERT_FALSE(folder);
    EXPECT_TRUE(contains(folder.error(), "is a folder, not a regular file")) << folder.error();
    ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
    auto fifo = read_user_key(dir / "fifo");
    ASSERT_FALSE(fifo);
    EXPECT_TRUE(contains(fifo.error(), "is a FIFO, not a regular file")) << fifo.error();
}

TEST(KeyFile, OpenPermissionsGiveAWarningNamingTheFile) {
    mv::test::TempDir dir("key");
    const auto file = dir / "vault.key";
    mv::test::write_file(file, std::string(64, 'b'));
    ::chmod(file.c_str(), 0644);
    auto key = read_user_key(file);
    ASSERT_TRUE(key) << key.error();
    ASSERT_EQ(key->warnings.size(), 1u);
    EXPECT_TRUE(contains(key->warnings[0], "key file " + file.string() +
                                               " may be read by users other than its owner "
                                               "(mode 0644)"))
        << key->warnings[0];
    EXPECT_TRUE(contains(key->warnings[0], "chmod 0400 " + file.string()));
    ::chmod(file.c_str(), 0620);
    EXPECT_TRUE(contains(read_user_key(file)->warnings.at(0), "may be written"));
    ::chmod(file.c_str(), 0600);
    EXPECT_TRUE(read_user_key(file)->warnings.empty());
}

} // namespace
} // namespace mv::crypto
