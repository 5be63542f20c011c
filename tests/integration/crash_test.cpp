// SIGKILL in the middle of writing a large version: no partial version, tmp/ cleaned at
// the next start, and the model is backed up then.
#include <thread>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;

bool has_partial_write(const std::filesystem::path& tmp) {
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(tmp, ignored)) {
        if (entry.path().extension() == ".part" && entry.file_size(ignored) > 0) {
            return true;
        }
    }
    return false;
}

// Versions are their manifests (format 2: VAULT/manifests/<sha256>.json).
std::size_t manifests_in(const std::filesystem::path& dir) {
    std::size_t count = 0;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ignored)) {
        count += entry.path().extension() == ".json" ? 1 : 0;
    }
    return count;
}

TEST_F(DaemonTest, SigkillDuringALargeBackupLeavesNoPartialVersion) {
    start_daemon();
    // Large enough that the write takes a while; incompressible like real weights.
    write_model("big.safetensors", random_bytes(256u << 20, 5));
    ASSERT_TRUE(wait_until([&] { return has_partial_write(vault / "tmp"); }, 60s, 2ms))
        << "the backup never started writing";
    kill_daemon();
    // Killed mid-write: the model has no version, only an unfinished file in tmp/.
    EXPECT_EQ(manifests_in(vault / "manifests"), 0u);
    EXPECT_TRUE(has_partial_write(vault / "tmp"));
    // The next start cleans tmp/ and backs the file up.
    start_daemon();
    ASSERT_TRUE(wait_for_versions("lab/big.safetensors", 1, 120s));
    EXPECT_NE(daemon_log().find("unfinished write(s)"), std::string::npos);
    EXPECT_EQ(manifests_in(vault / "manifests"), 1u);
    const auto verify = ctl({"verify", "--all", "--read-data"}, 180s);
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    // Once nothing is in flight (state files are also written through tmp/), it is empty.
    EXPECT_EQ(stop_daemon(), 0);
    EXPECT_TRUE(std::filesystem::is_empty(vault / "tmp"));
}

} // namespace
} // namespace mv::test
