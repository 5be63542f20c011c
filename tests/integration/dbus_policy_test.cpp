// The system-bus policy the package installs (systemd/dbus/org.modelvault.Daemon1.conf,
// docs/NOTIFICATIONS.md, "D-Bus"), on a private bus that denies what the real system bus
// denies (Debian's /usr/share/dbus-1/system.conf: no name may be owned and no method
// called unless a policy file allows it). With the file the daemon owns its name and root
// may call it; another user (nobody) may not call it but still receives its signals.
// Without the file the daemon refuses to start and says which file to install.
// Needs root (it switches to `nobody`): ctest label `root`.
#include <sys/stat.h>

#include <gmock/gmock.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

const std::string k_name = "org.modelvault.Daemon1";
const std::string k_path = "/org/modelvault/Daemon1";
const std::vector<std::string> as_nobody = {"setpriv", "--reuid=nobody", "--regid=nogroup",
                                            "--clear-groups", "--"};

class DBusPolicyTest : public DaemonTest {
protected:
    /// Starts a system-type bus whose default policy is Debian's; includes the shipped
    /// policy file when `with_policy`.
    void start_bus(bool with_policy) {
        // The bus lives in a folder nobody can reach (the test's own is 0700).
        ASSERT_EQ(::chmod(bus_dir.path().c_str(), 0755), 0);
        const std::string include = with_policy
                                        ? "<include>" + std::string(MV_SOURCE_DIR) +
                                              "/systemd/dbus/org.modelvault.Daemon1.conf</include>"
                                        : "";
        write_file(bus_dir / "system.conf", R"(<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path=)" + (bus_dir / "socket").string() +
                                                R"(</listen>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
  </policy>
  )" + include + R"(
</busconfig>
)");
        bus = std::make_unique<Child>(
            std::vector<std::string>{"dbus-daemon",
                                     "--config-file=" + (bus_dir / "system.conf").string(),
                                     "--nofork", "--nopidfile"},
            bus_dir / "dbus-daemon.log");
        ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(bus_dir / "socket"); }, 20s))
            << read_file(bus_dir / "dbus-daemon.log");
        config["dbus"] = {{"bus", address()}};
        config["watches"][0]["triggers"] = {{"on_change", false}};
    }

    std::string address() const { return "unix:path=" + (bus_dir / "socket").string(); }

    /// busctl on the private bus, as root.
    CommandResult busctl(std::vector<std::string> args) {
        std::vector<std::string> argv = {"busctl", "--address=" + address()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv);
    }

    void TearDown() override {
        DaemonTest::TearDown();
        monitor.reset();
        bus.reset();
    }

    TempDir bus_dir{"bus"};
    std::unique_ptr<Child> bus;
    std::unique_ptr<Child> monitor;
};

TEST_F(DBusPolicyTest, ShippedPolicyLetsTheDaemonOwnItsNameAndKeepsOtherCallersOut) {
    start_bus(true);
    start_daemon();
    ASSERT_TRUE(wait_until(
        [&] {
            return busctl({"list", "--no-pager"}).out.find(k_name) != std::string::npos;
        },
        20s))
        << daemon_log();

    // Root may call it.
    auto out = busctl({"call", k_name, k_path, k_name, "Status"});
    EXPECT_EQ(out.exit_code, 0) << out.err;
    EXPECT_THAT(out.out, HasSubstr("\\\"versions\\\":0"));

    // Another user may not: the bus itself refuses ("Rejected send message"), before the
    // daemon's own access check could answer.
    for (const std::string method : {"Status", "Backup"}) {
        std::vector<std::string> argv = {as_nobody.begin(), as_nobody.end()};
        argv.insert(argv.end(), {"dbus-send", "--bus=" + address(), "--print-reply",
                                 "--dest=" + k_name, k_path, k_name + "." + method});
        if (method == "Backup") {
            argv.push_back("string:lab/dqn.pkl");
        }
        out = run(argv);
        EXPECT_NE(out.exit_code, 0) << out.out;
        EXPECT_THAT(out.err, HasSubstr("AccessDenied: Rejected send message")) << method;
    }

    // ... nor take the daemon's name.
    std::vector<std::string> request_name = {as_nobody.begin(), as_nobody.end()};
    request_name.insert(request_name.end(),
                        {"dbus-send", "--bus=" + address(), "--print-reply",
                         "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                         "org.freedesktop.DBus.RequestName", "string:" + k_name, "uint32:0"});
    out = run(request_name);
    EXPECT_NE(out.exit_code, 0) << out.out;
    EXPECT_THAT(out.err, HasSubstr("not allowed to own"));

    // But it receives the daemon's signals, as every signal on the system bus.
    const auto signals = dir / "signals.txt";
    monitor = std::make_unique<Child>(
        [&] {
            std::vector<std::string> argv = as_nobody;
            argv.insert(argv.end(), {"dbus-monitor", "--address", address(),
                                     "type='signal',interface='" + k_name + "'"});
            return argv;
        }(),
        signals);
    ASSERT_TRUE(wait_until(
        [&] {
            return std::filesystem::exists(signals) &&
                   read_file(signals).find("NameAcquired") != std::string::npos;
        },
        20s))
        << (std::filesystem::exists(signals) ? read_file(signals) : "no output");
    write_model("dqn.pkl", pickle("weights-policy"));
    EXPECT_EQ(ctl({"backup", "lab/dqn.pkl"}).exit_code, 0);
    EXPECT_TRUE(wait_until(
        [&] { return read_file(signals).find("member=VersionCreated") != std::string::npos; }, 30s))
        << read_file(signals);
}

TEST_F(DBusPolicyTest, WithoutThePolicyTheDaemonRefusesAndNamesTheFile) {
    start_bus(false);
    launch_daemon();
    ASSERT_TRUE(wait_until([&] { return !daemon_running(); }, 30s)) << daemon_log();
    EXPECT_THAT(daemon_log(), HasSubstr("org.modelvault.Daemon1.conf"));
    EXPECT_THAT(daemon_log(), HasSubstr("/usr/share/dbus-1/system.d"));
}

} // namespace
} // namespace mv::test
