#include <fcntl.h>

#include <gtest/gtest.h>

#include "s3/body.hpp"
#include "tests/lib/temp_dir.hpp"
#include "util/fd.hpp"

namespace mv::s3 {
namespace {

TEST(Body, DigestsAreTheOnesS3Checks) {
    // Values from `printf hello | sha256sum` and `printf hello | openssl md5 -binary | base64`.
    const auto digests = digest(memory_body("hello"));
    ASSERT_TRUE(digests) << digests.error();
    EXPECT_EQ(digests->sha256_hex,
              "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    EXPECT_EQ(digests->md5_base64, "XUFAKrxLKna5cZ2REBfFkg==");
    EXPECT_EQ(digest(memory_body(""))->sha256_hex,
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Body, AFileRangeDigestsLikeTheSameBytesInMemory) {
    test::TempDir dir("s3body");
    const std::string data = test::random_bytes(3u << 20, 7);
    test::write_file(dir / "f", data);
    const UniqueFd fd(::open((dir / "f").c_str(), O_RDONLY | O_CLOEXEC));
    const auto from_file = digest(file_body(fd.get(), 1000, 2u << 20));
    const auto from_memory = digest(memory_body(std::string_view(data).substr(1000, 2u << 20)));
    ASSERT_TRUE(from_file) << from_file.error();
    EXPECT_EQ(from_file->sha256_hex, from_memory->sha256_hex);
    EXPECT_EQ(from_file->md5_base64, from_memory->md5_base64);
}

TEST(Body, AFileShorterThanItsRangeIsAnError) {
    test::TempDir dir("s3body");
    test::write_file(dir / "f", "short");
    const UniqueFd fd(::open((dir / "f").c_str(), O_RDONLY | O_CLOEXEC));
    const auto digests = digest(file_body(fd.get(), 0, 100));
    ASSERT_FALSE(digests);
    EXPECT_NE(digests.error().find("shorter"), std::string::npos) << digests.error();
}

} // namespace
} // namespace mv::s3
