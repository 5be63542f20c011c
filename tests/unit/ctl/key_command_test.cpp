#include <sys/stat.h>

#include <gtest/gtest.h>

#include "crypto/key_file.hpp"
#include "ctl/app.hpp"
#include "ctl/exit_codes.hpp"
#include "tests/lib/temp_dir.hpp"

namespace mv::ctl {
namespace {

// `modelvaultctl key init FILE` needs no daemon: run it in process.
TEST(KeyCommand, InitMakesAKeyFileAndNeverReplacesOne) {
    test::TempDir dir("ctl-key");
    const auto file = dir / "vault.key";
    EXPECT_EQ(ctl_main({"key", "init", file.string()}), k_exit_ok);
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0400u);
    auto key = crypto::read_user_key(file);
    ASSERT_TRUE(key) << key.error();
    EXPECT_EQ(key->kind, crypto::UserKeyKind::random);
    const std::string before = test::read_file(file);
    EXPECT_EQ(ctl_main({"key", "init", file.string()}), k_exit_failure);
    EXPECT_EQ(test::read_file(file), before);
}

TEST(KeyCommand, UnknownSubcommandsAreUsageErrors) {
    EXPECT_EQ(ctl_main({"key", "make", "x"}), k_exit_usage);
    EXPECT_EQ(ctl_main({"key", "init"}), k_exit_usage);
}

} // namespace
} // namespace mv::ctl
