// Found by the torture suite (tests/torture): `verify --all` reported versions that
// retention removed while it ran as corrupt ("cannot open … No such file or directory"),
// so a verification that overlapped a prune (or the daemon's first retention pass, 10 s
// after a start) failed although nothing was damaged.
#include <future>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;

TEST_F(DaemonTest, VerifyAllLeavesOutVersionsRemovedWhileItRuns) {
    config["watches"][0]["retention"] = {{"keep_last", 1}};
    start_daemon();
    // A large model first (versions are verified in model order) keeps the verification
    // busy long enough for a prune to remove versions it has yet to read.
    write_model("a-large.pkl", pickle(random_bytes(96u << 20, 3)));
    ASSERT_TRUE(wait_for_versions("lab/a-large.pkl", 1, 120s));
    // Three versions of another model, by import (which does not prune).
    std::vector<std::string> import = {"import"};
    for (int i = 0; i < 3; ++i) {
        const auto file = dir / ("old-" + std::to_string(i) + ".pkl");
        write_file(file, pickle("weights " + std::to_string(i)));
        import.push_back(file.string());
    }
    import.insert(import.end(), {"--model", "lab/b.pkl", "--new-model"}); // no b.pkl in the folder
    ASSERT_EQ(ctl(import).exit_code, 0);
    ASSERT_EQ(versions("lab/b.pkl").size(), 3u);

    // --read-data: re-reading every byte is what takes long enough to overlap (a plain
    // verify only checks that each chunk is indexed and its pack present).
    auto verification = std::async(std::launch::async, [&] {
        return ctl_json({"verify", "--all", "--read-data"});
    });
    ASSERT_TRUE(
        wait_until([&] { return !ctl_json({"status"})["queue"]["verifying"].empty(); }, 60s, 5ms))
        << "the verification never started";
    const auto pruned = ctl_json({"prune", "lab/b.pkl"});
    // The daemon's own first retention pass, 10 s after its start, removes the same two
    // when a loaded machine (ASan, in CI beside other work) has not reached this prune by
    // then: the versions still go while the verification runs.
    const int removed = pruned["models"][0]["removed"].get<int>();
    ASSERT_TRUE(removed == 2 || removed == 0) << pruned.dump();
    ASSERT_EQ(versions("lab/b.pkl").size(), 1u);
    const auto verified = verification.get();
    // The two removed versions are not "corrupt": they are simply no longer there. On a
    // machine that reads the large model faster than the prune takes its turn, the
    // verification has checked some or all of them before they go (all four seen once
    // under ASan in CI; chunks are read ahead on a second thread since, which moves that
    // race): what matters is that none is reported as failed.
    EXPECT_EQ(verified["failed"], 0) << verified.dump(2);
    EXPECT_GE(verified["checked"].get<int>(), 2) << verified.dump(2);
    EXPECT_LE(verified["checked"].get<int>(), 4) << verified.dump(2);
}

// The same found later by the long torture run: a version whose manifest a retag replaced
// by a later revision while `verify --all` ran was reported unreadable, although the
// version was intact; it is checked as it is now.
TEST_F(DaemonTest, VerifyAllChecksAVersionRetaggedWhileItRuns) {
    start_daemon();
    write_model("a-large.pkl", pickle(random_bytes(96u << 20, 4)));
    ASSERT_TRUE(wait_for_versions("lab/a-large.pkl", 1, 120s));
    write_model("b.pkl", pickle("weights"));
    ASSERT_TRUE(wait_for_versions("lab/b.pkl", 1));

    auto verification = std::async(std::launch::async, [&] {
        return ctl_json({"verify", "--all", "--read-data"});
    });
    ASSERT_TRUE(
        wait_until([&] { return !ctl_json({"status"})["queue"]["verifying"].empty(); }, 60s, 5ms))
        << "the verification never started";
    ASSERT_EQ(ctl({"tag", "lab/b.pkl@1.0.0", "add", "reviewed"}).exit_code, 0);
    const auto verified = verification.get();
    EXPECT_EQ(verified["failed"], 0) << verified.dump(2);
    EXPECT_EQ(verified["checked"], 2) << verified.dump(2);
}

} // namespace
} // namespace mv::test
