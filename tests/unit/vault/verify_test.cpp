#include <fstream>

#include <gtest/gtest.h>

#include "tests/lib/fake_clock.hpp"
#include "tests/lib/temp_dir.hpp"
#include "vault/vault.hpp"

namespace mv::vault {
namespace {

class VerifyTest : public ::testing::Test {
protected:
    void SetUp() override {
        vault = Vault::open({dir / "vault", {}, true, "h"}, clock);
        test::write_file(dir / "m.pkl",
                         std::string("\x80\x04", 2) + test::random_bytes(2 << 20, 3));
        NewVersion request;
        request.model = {"w", "m.pkl"};
        request.files = {SourceFile::beneath(dir.path(), "m.pkl", "m.pkl")};
        manifest = vault->write_version(request, {}).manifest;
    }

    void flip_byte(std::uint64_t offset) {
        std::fstream f(vault->archive_path(manifest),
                       std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(static_cast<std::streamoff>(offset));
        char c = 0;
        f.read(&c, 1);
        c = static_cast<char>(c ^ 0x40);
        f.seekp(static_cast<std::streamoff>(offset));
        f.write(&c, 1);
    }

    test::TempDir dir{"verify"};
    test::FakeClock clock;
    std::unique_ptr<Vault> vault;
    Manifest manifest;
};

TEST_F(VerifyTest, IntactVersionPasses) {
    const auto result = vault->verify(manifest, {});
    EXPECT_TRUE(result.ok()) << result.problems.front();
    EXPECT_EQ(result.archive_sha256, manifest.archive.sha256);
}

TEST_F(VerifyTest, FlippedByteInTheDataIsFound) {
    flip_byte(manifest.archive.size / 2);
    const auto result = vault->verify(manifest, {});
    ASSERT_FALSE(result.ok());
}

TEST_F(VerifyTest, FlippedByteInThePaddingIsFoundByTheArchiveHash) {
    // The skippable padding frame decompresses to nothing: only the archive hash sees it.
    flip_byte(manifest.archive.size > 9000 ? 4000 : 100);
    const auto result = vault->verify(manifest, {});
    ASSERT_FALSE(result.ok());
}

TEST_F(VerifyTest, TruncatedOrMissingArchiveIsNamed) {
    std::filesystem::resize_file(vault->archive_path(manifest), manifest.archive.size / 3);
    auto result = vault->verify(manifest, {});
    ASSERT_FALSE(result.ok());
    std::filesystem::remove(vault->archive_path(manifest));
    result = vault->verify(manifest, {});
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.problems.front().find(manifest.archive.file), std::string::npos)
        << result.problems.front();
}

TEST_F(VerifyTest, TamperedManifestHashIsFound) {
    Manifest lying = manifest;
    lying.files[0].sha256 = std::string(64, 'f');
    const auto result = vault->verify(lying, {});
    ASSERT_FALSE(result.ok());
}

} // namespace
} // namespace mv::vault
