// A backup that cannot fit in the vault (docs/NOTIFICATIONS.md, "Low disk"), through the
// real daemon: the vault on a 4 MiB tmpfs, a model of 6 MiB of random bytes. The backup
// fails before anything is written, and says how much it needs and how much is free; a
// small model then backs up on the same vault. Needs root (mount): label `root`.
#include <random>
#include <set>
#include <sys/mount.h>
#include <unistd.h>

#include <gmock/gmock.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/skip.hpp"

namespace mv::test {
namespace {

using ::testing::HasSubstr;

std::string random_bytes(std::size_t size) {
    std::mt19937_64 generator(20261201);
    std::string bytes(size, '\0');
    for (auto& byte : bytes) {
        byte = static_cast<char>(generator());
    }
    return bytes;
}

// Every file in the vault outside state/ (where the audit log and counters live).
std::set<std::string> vault_files(const std::filesystem::path& vault) {
    std::set<std::string> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(vault)) {
        const auto relative = e.path().lexically_relative(vault).string();
        if (!relative.starts_with("state")) {
            files.insert(relative);
        }
    }
    return files;
}

class DiskFullTest : public DaemonTest {
protected:
    void SetUp() override {
        DaemonTest::SetUp();
        std::filesystem::create_directories(vault);
        if (::geteuid() != 0 || ::mount("tmpfs", vault.c_str(), "tmpfs", 0, "size=4m") != 0) {
            MV_SKIP_OR_FAIL("a small vault needs a tmpfs mount, which needs root");
        }
        m_mounted = true;
        config["watches"][0]["triggers"] = {{"on_change", false}};
    }
    void TearDown() override {
        DaemonTest::TearDown();
        if (m_mounted) {
            ::umount2(vault.c_str(), MNT_DETACH);
        }
    }

private:
    bool m_mounted = false;
};

TEST_F(DiskFullTest, ABackupThatCannotFitFailsBeforeWritingAndSaysHowMuchIsNeeded) {
    write_model("big.pkl", pickle(random_bytes(6u << 20)));
    start_daemon();
    const auto before = vault_files(vault);

    const auto refused = ctl({"backup", "lab/big.pkl"});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_THAT(refused.err, HasSubstr("No space left in the vault for lab/big.pkl"));
    EXPECT_THAT(refused.err, HasSubstr("its files are 6.0 MiB, a version may need up to"));
    EXPECT_THAT(refused.err, HasSubstr("free at least"));
    EXPECT_THAT(refused.err, HasSubstr("nothing was written"));
    EXPECT_EQ(vault_files(vault), before) << "the refused backup wrote into the vault";
    EXPECT_TRUE(versions("lab/big.pkl").empty());

    // The vault still takes what fits.
    write_model("small.pkl", pickle("weights-small"));
    const auto small = ctl({"backup", "lab/small.pkl"});
    EXPECT_EQ(small.exit_code, 0) << small.err;
    EXPECT_EQ(versions("lab/small.pkl").size(), 1u);
}

} // namespace
} // namespace mv::test
