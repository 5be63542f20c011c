// The D-Bus service through the real daemon on a private dbus-daemon started by the test
// (docs/NOTIFICATIONS.md, "D-Bus"): a subscriber (dbus-monitor) sees VersionCreated and
// BackupFailed, busctl reads the properties and calls Status() and Backup(model).
#include <sys/stat.h>
#include <thread>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;

class DBusTest : public DaemonTest {
protected:
    void SetUp() override {
        DaemonTest::SetUp();
        // A session-type bus: anyone may own names on it.
        bus =
            std::make_unique<Child>(std::vector<std::string>{"dbus-daemon", "--session", "--nofork",
                                                             "--nopidfile", "--address=" + address},
                                    dir / "dbus-daemon.log");
        ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(dir / "bus"); }, 20s));
        config["dbus"] = {{"bus", address}};
    }

    void TearDown() override {
        DaemonTest::TearDown();
        monitor.reset();
        bus.reset();
    }

    CommandResult busctl(std::vector<std::string> args) {
        std::vector<std::string> argv = {"busctl", "--address=" + address};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv);
    }

    std::string address = "unix:path=" + (dir / "bus").string();
    std::unique_ptr<Child> bus;
    std::unique_ptr<Child> monitor;
};

TEST_F(DBusTest, SubscriberSeesSignalsAndCallsWork) {
    config["watches"][0]["triggers"] = {{"on_change", false}};
    start_daemon();
    // The daemon owns its name on the bus.
    ASSERT_TRUE(wait_until(
        [&] {
            return busctl({"list", "--no-pager"}).out.find("org.modelvault.Daemon1") !=
                   std::string::npos;
        },
        20s));
    const auto signals = dir / "signals.txt";
    monitor = std::make_unique<Child>(
        std::vector<std::string>{"dbus-monitor", "--address", address,
                                 "type='signal',interface='org.modelvault.Daemon1'"},
        signals);
    ASSERT_TRUE(wait_until(
        [&] {
            return std::filesystem::exists(signals) &&
                   read_file(signals).find("NameAcquired") != std::string::npos;
        },
        20s));
    write_model("dqn.pkl", pickle("weights-dbus"));
    EXPECT_EQ(ctl({"backup", "lab/dqn.pkl"}).exit_code, 0);
    make_writes_fail("other.pkl");
    write_model("other.pkl", pickle("weights-other"));
    EXPECT_EQ(ctl({"backup", "lab/other.pkl"}).exit_code, 1);
    writes_succeed_again("other.pkl");
    ASSERT_TRUE(wait_until(
        [&] {
            const std::string seen = read_file(signals);
            return seen.find("member=VersionCreated") != std::string::npos &&
                   seen.find("member=BackupFailed") != std::string::npos;
        },
        30s))
        << read_file(signals) << daemon_log();
    const std::string seen = read_file(signals);
    const auto created = seen.find("member=VersionCreated");
    EXPECT_NE(seen.find("string \"lab/dqn.pkl\"", created), std::string::npos) << seen;
    EXPECT_NE(seen.find("string \"1.0.0\"", created), std::string::npos) << seen;
    EXPECT_NE(seen.find("string \"manual\"", created), std::string::npos) << seen;
    const auto failed = seen.find("member=BackupFailed");
    EXPECT_NE(seen.find("string \"lab/other.pkl\"", failed), std::string::npos) << seen;

    // Properties and methods.
    const std::string object[] = {"org.modelvault.Daemon1", "/org/modelvault/Daemon1",
                                  "org.modelvault.Daemon1"};
    auto out = busctl({"get-property", object[0], object[1], object[2], "Versions"});
    EXPECT_EQ(out.out, "t 1\n") << out.err;
    out = busctl({"get-property", object[0], object[1], object[2], "Watches"});
    EXPECT_EQ(out.out, "as 1 \"lab\"\n") << out.err;
    out = busctl({"call", object[0], object[1], object[2], "Status"});
    EXPECT_EQ(out.exit_code, 0) << out.err;
    EXPECT_NE(out.out.find("\\\"versions\\\":1"), std::string::npos) << out.out;
    write_model("dqn.pkl", pickle("weights-dbus-2"));
    out = busctl({"call", object[0], object[1], object[2], "Backup", "s", "lab/dqn.pkl"});
    EXPECT_EQ(out.exit_code, 0) << out.err;
    EXPECT_NE(out.out.find("1.0.1"), std::string::npos) << out.out;
    // The call is in the audit log, made over the bus.
    const auto audit = ctl_json({"audit"});
    bool found = false;
    for (const auto& record : audit["records"]) {
        found = found || (record["command"] == "backup" && record["via"] == "dbus" &&
                          record["result"] == "ok");
    }
    EXPECT_TRUE(found) << audit.dump(2);
}

} // namespace
} // namespace mv::test
