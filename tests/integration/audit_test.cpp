// The audit log with real users (docs/NOTIFICATIONS.md, "Audit log"): a restore and a
// denied backup by `nobody`, a backup by root, each recorded with its user and result,
// and `modelvaultctl audit --user` filtering them. Needs root (it switches to nobody):
// ctest label `root`.
#include <gmock/gmock.h>

#include "tests/integration/daemon_fixture.hpp"

namespace mv::test {
namespace {

class AuditTest : public DaemonTest {
protected:
    void SetUp() override {
        DaemonTest::SetUp();
        // nobody must reach the socket and the restore folder in the test directory.
        std::filesystem::permissions(dir.path(), std::filesystem::perms::others_exec,
                                     std::filesystem::perm_options::add);
        config["access"] = {{"socket_group", "nogroup"}, {"read", {"nobody"}}};
        config["watches"][0]["triggers"] = {{"on_change", false}};
        std::filesystem::create_directories(dir / "bin");
        std::filesystem::copy_file(binary("modelvaultctl"), dir / "bin/modelvaultctl");
    }

    CommandResult ctl_as_nobody(std::vector<std::string> args) {
        std::vector<std::string> argv = {"setpriv",
                                         "--reuid=nobody",
                                         "--regid=nogroup",
                                         "--clear-groups",
                                         "--",
                                         (dir / "bin/modelvaultctl").string(),
                                         "--socket",
                                         socket.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv);
    }
};

TEST_F(AuditTest, AllowedAndDeniedRequestsOfRealUsersAreRecorded) {
    write_model("dqn.pkl", pickle("weights-audit"));
    start_daemon();
    EXPECT_EQ(ctl({"backup", "lab/dqn.pkl"}).exit_code, 0);
    const auto target = dir / "nobody-restore";
    std::filesystem::create_directories(target);
    std::filesystem::permissions(target, std::filesystem::perms::all);
    const auto restored = ctl_as_nobody({"restore", "lab/dqn.pkl", "--to", target.string()});
    EXPECT_EQ(restored.exit_code, 0) << restored.out << restored.err;
    const auto denied = ctl_as_nobody({"backup", "lab/dqn.pkl"});
    EXPECT_NE(denied.exit_code, 0);
    // `list` hands out no model data: not audited.
    EXPECT_EQ(ctl_as_nobody({"list"}).exit_code, 0);

    const auto records = ctl_json({"audit"})["records"];
    ASSERT_EQ(records.size(), 3u) << records.dump(2);
    EXPECT_EQ(records[0]["user"], "root");
    EXPECT_EQ(records[0]["command"], "backup");
    EXPECT_EQ(records[0]["result"], "ok");
    EXPECT_EQ(records[1]["user"], "nobody");
    EXPECT_EQ(records[1]["command"], "restore");
    EXPECT_EQ(records[1]["result"], "ok");
    EXPECT_THAT(records[1]["target"].get<std::string>(), ::testing::HasSubstr("lab/dqn.pkl"));
    EXPECT_THAT(records[1]["target"].get<std::string>(), ::testing::HasSubstr(target.string()));
    EXPECT_EQ(records[2]["user"], "nobody");
    EXPECT_EQ(records[2]["command"], "backup");
    EXPECT_EQ(records[2]["result"], "denied");
    EXPECT_EQ(records[2]["via"], "socket");
    // Only nobody's, and the log itself is not for readers.
    EXPECT_EQ(ctl_json({"audit", "--user", "nobody"})["records"].size(), 2u);
    EXPECT_NE(ctl_as_nobody({"audit"}).exit_code, 0);
    // The daemon's log names who restored.
    EXPECT_NE(daemon_log().find("archive handed to nobody"), std::string::npos);
}

TEST_F(AuditTest, NotesAndDeletionsAreRecordedAllowedOrDenied) {
    write_model("dqn.pkl", pickle("weights-notes"));
    start_daemon();
    ASSERT_EQ(ctl({"backup", "lab/dqn.pkl"}).exit_code, 0);
    EXPECT_NE(ctl_as_nobody({"note", "lab/dqn.pkl@1.0.0", "from nobody"}).exit_code, 0);
    EXPECT_NE(ctl_as_nobody({"delete", "lab/dqn.pkl@1.0.0", "--force"}).exit_code, 0);
    EXPECT_EQ(ctl({"note", "lab/dqn.pkl@1.0.0", "from root"}).exit_code, 0);

    const auto records = ctl_json({"audit"})["records"];
    ASSERT_EQ(records.size(), 4u) << records.dump(2);
    for (std::size_t i : {1u, 2u}) {
        EXPECT_EQ(records[i]["user"], "nobody");
        EXPECT_EQ(records[i]["result"], "denied");
        EXPECT_THAT(records[i]["target"].get<std::string>(), ::testing::HasSubstr("lab/dqn.pkl"));
    }
    EXPECT_EQ(records[1]["command"], "note");
    EXPECT_EQ(records[2]["command"], "delete");
    EXPECT_EQ(records[3]["command"], "note");
    EXPECT_EQ(records[3]["user"], "root");
    EXPECT_EQ(records[3]["result"], "ok");
}

} // namespace
} // namespace mv::test
