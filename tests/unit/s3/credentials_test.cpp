#include <sys/stat.h>

#include <gtest/gtest.h>

#include "s3/credentials.hpp"
#include "tests/lib/temp_dir.hpp"

namespace mv::s3 {
namespace {

using test::TempDir;

std::filesystem::path write_private(const TempDir& dir, std::string_view text,
                                    unsigned mode = 0600) {
    const auto path = dir / "credentials";
    test::write_file(path, text);
    ::chmod(path.c_str(), mode);
    return path;
}

TEST(Credentials, ReadsTheDefaultSectionOfAnAwsFile) {
    TempDir dir("s3cred");
    const auto path = write_private(dir, "# comment\n[other]\naws_access_key_id = X\n"
                                         "aws_secret_access_key = Y\n\n[default]\n"
                                         "aws_access_key_id = AKIAEXAMPLE\n"
                                         "aws_secret_access_key = se/cr+et\n"
                                         "region = eu-west-1\n");
    const auto credentials = load_credentials(path);
    ASSERT_TRUE(credentials) << credentials.error();
    EXPECT_EQ(credentials->access_key_id, "AKIAEXAMPLE");
    EXPECT_EQ(credentials->secret_access_key, "se/cr+et");
}

TEST(Credentials, RefusesAFileOthersMayRead) {
    TempDir dir("s3cred");
    const auto path =
        write_private(dir, "[default]\naws_access_key_id = A\naws_secret_access_key = B\n", 0644);
    const auto credentials = load_credentials(path);
    ASSERT_FALSE(credentials);
    EXPECT_NE(credentials.error().find("chmod 600"), std::string::npos) << credentials.error();
    EXPECT_NE(credentials.error().find("0644"), std::string::npos) << credentials.error();
}

TEST(Credentials, RefusesAGroupWritableFile) {
    TempDir dir("s3cred");
    const auto path =
        write_private(dir, "[default]\naws_access_key_id = A\naws_secret_access_key = B\n", 0620);
    EXPECT_FALSE(load_credentials(path));
}

TEST(Credentials, NamesAMissingFile) {
    TempDir dir("s3cred");
    const auto credentials = load_credentials(dir / "absent");
    ASSERT_FALSE(credentials);
    EXPECT_NE(credentials.error().find("absent"), std::string::npos) << credentials.error();
}

TEST(Credentials, NamesAMissingSection) {
    TempDir dir("s3cred");
    const auto path = write_private(dir, "[prod]\naws_access_key_id = A\n");
    const auto credentials = load_credentials(path);
    ASSERT_FALSE(credentials);
    EXPECT_NE(credentials.error().find("no [default] section"), std::string::npos)
        << credentials.error();
}

TEST(Credentials, NamesAMissingKey) {
    TempDir dir("s3cred");
    const auto path = write_private(dir, "[default]\naws_access_key_id = A\n");
    const auto credentials = load_credentials(path);
    ASSERT_FALSE(credentials);
    EXPECT_NE(credentials.error().find("aws_secret_access_key"), std::string::npos)
        << credentials.error();
}

TEST(Credentials, ReportsTheLineOfASyntaxError) {
    TempDir dir("s3cred");
    const auto path = write_private(dir, "[default]\naws_access_key_id = A\nnot a pair\n");
    const auto credentials = load_credentials(path);
    ASSERT_FALSE(credentials);
    EXPECT_NE(credentials.error().find(":3:"), std::string::npos) << credentials.error();
}

TEST(Credentials, RefusesAKeyWithASpace) {
    TempDir dir("s3cred");
    const auto path =
        write_private(dir, "[default]\naws_access_key_id = A B\naws_secret_access_key = C\n");
    EXPECT_FALSE(load_credentials(path));
}

} // namespace
} // namespace mv::s3
