// Access control with real peers (docs/SERVICE.md, docs/CONFIG.md `access`): the kernel's
// SO_PEERCRED of `nobody` and of a user created for the test decide what they may do; root and the
// daemon's own user may do everything; the socket file is 0660, group socket_group.
// Needs root (useradd, setpriv, runuser): ctest label `root`.
#include <fstream>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

// useradd and groupadd refuse to run while another one holds /etc/passwd's lock (tests
// run in parallel): retry for a while.
void must_run(const std::vector<std::string>& argv) {
    CommandResult last;
    const bool done = wait_until(
        [&] {
            last = run(argv);
            return last.exit_code == 0;
        },
        30s, 100ms);
    ASSERT_TRUE(done) << argv[0] << " failed (" << last.exit_code << "): " << last.err;
}

class AccessTest : public DaemonTest {
protected:
    void SetUp() override {
        DaemonTest::SetUp();
        // Other users must be able to reach the socket in the test directory, and to run
        // the programs wherever the checkout is (it may be in a home only root enters).
        std::filesystem::permissions(
            dir.path(), std::filesystem::perms::group_exec | std::filesystem::perms::others_exec,
            std::filesystem::perm_options::add);
        std::filesystem::create_directories(dir / "bin");
        for (const char* program : {"modelvaultd", "modelvaultctl"}) {
            std::filesystem::copy_file(binary(program), dir / "bin" / program);
        }
        daemon_program = (dir / "bin/modelvaultd").string();
        // A user with its own group, also a member of a second group.
        must_run({"groupadd", "--system", group});
        must_run({"useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                  "--user-group", "--groups", group, user});
        const struct passwd* entry = ::getpwnam(user.c_str());
        ASSERT_NE(entry, nullptr);
        user_uid = entry->pw_uid;
        user_gid = entry->pw_gid;
    }

    void TearDown() override {
        DaemonTest::TearDown();
        must_run({"userdel", user}); // also removes its own group
        must_run({"groupdel", group});
    }

    /// modelvaultctl --json ARGS as the test user (runuser: PAM, its groups).
    CommandResult as_user(const std::vector<std::string>& args) {
        return ctl_through({"runuser", "-u", user, "--"}, args);
    }

    /// modelvaultctl --json ARGS as nobody:nogroup with no other groups (setpriv).
    CommandResult as_nobody(const std::vector<std::string>& args) {
        return ctl_through({"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"},
                           args);
    }

    /// modelvaultctl --json ARGS, run by `switch_user` (a command that execs its arguments).
    CommandResult ctl_through(std::vector<std::string> switch_user,
                              const std::vector<std::string>& args) {
        switch_user.insert(switch_user.end(), {(dir / "bin/modelvaultctl").string(), "--socket",
                                               socket.string(), "--json"});
        switch_user.insert(switch_user.end(), args.begin(), args.end());
        return run(switch_user);
    }

    /// The `error` object of a --json answer (null when there is none).
    static nlohmann::json error_of(const CommandResult& result) {
        const auto parsed = nlohmann::json::parse(result.out, nullptr, false);
        return parsed.is_object() && parsed.contains("error") ? parsed["error"] : nlohmann::json();
    }

    void reload_as_root(const nlohmann::json& access) {
        config["access"] = access;
        std::ofstream(config_file) << config.dump(2);
        const auto reloaded = ctl({"reload"});
        ASSERT_EQ(reloaded.exit_code, 0) << reloaded.err;
    }

    const std::string group = "mvg" + std::to_string(::getpid());
    const std::string user = "mvu" + std::to_string(::getpid());
    uid_t user_uid = 0;
    gid_t user_gid = 0;
};

TEST_F(AccessTest, SocketIs0660InTheSocketGroupAndOutsidersCannotConnect) {
    config["access"] = {{"socket_group", group}, {"read", nlohmann::json::array()}};
    start_daemon();
    struct stat st {};
    ASSERT_EQ(::lstat(socket.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0660u);
    const struct group* entry = ::getgrnam(group.c_str());
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(st.st_gid, entry->gr_gid);

    // nobody is not in the group: the kernel refuses the connection.
    const auto outsider = as_nobody({"status"});
    EXPECT_EQ(outsider.exit_code, 1) << outsider.out << outsider.err;
    EXPECT_EQ(error_of(outsider)["code"], "forbidden") << outsider.out;
    EXPECT_THAT(error_of(outsider)["message"].get<std::string>(), HasSubstr("permission denied"));

    // The test user is in the group but on no list: the daemon says which list to join.
    const auto member = as_user({"status"});
    EXPECT_EQ(member.exit_code, 1) << member.out << member.err;
    EXPECT_EQ(error_of(member)["code"], "forbidden") << member.out;
    const std::string message = error_of(member)["message"];
    EXPECT_THAT(message, HasSubstr(user + " may not run `status`"));
    EXPECT_THAT(message, HasSubstr("access.read"));
    EXPECT_THAT(message, HasSubstr(config_file.string()));

    // Root always may.
    EXPECT_EQ(ctl({"status"}).exit_code, 0);
    // The log names who was refused, by name and uid.
    EXPECT_THAT(daemon_log(), HasSubstr("denied `status` to " + user + " (uid " +
                                        std::to_string(user_uid) + ", pid "));
}

TEST_F(AccessTest, ReadListAllowsReadCommandsAndWriteListAlsoMutatingOnes) {
    config["access"] = {{"socket_group", group}, {"read", {"@" + group}}};
    start_daemon();
    write_model("dqn.pkl", pickle("weights"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));

    // A member of @group reads: status, list, show, verify, and restore as itself.
    const std::vector<std::vector<std::string>> reads = {
        {"status"}, {"list"}, {"show", "lab/dqn.pkl@1.0.0"}, {"verify", "lab/dqn.pkl"}};
    for (const auto& args : reads) {
        const auto result = as_user(args);
        EXPECT_EQ(result.exit_code, 0) << args[0] << ": " << result.out << result.err;
    }
    const auto target = dir / "restored";
    std::filesystem::create_directories(target);
    ASSERT_EQ(::chown(target.c_str(), user_uid, user_gid), 0);
    const auto restored = as_user({"restore", "lab/dqn.pkl@1.0.0", "--to", target.string()});
    ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
    struct stat st {};
    ASSERT_EQ(::stat((target / "dqn.pkl").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, user_uid) << "restored files belong to the user who asked";

    // ... but may not change anything.
    const std::vector<std::vector<std::string>> writes = {{"backup", "lab/dqn.pkl"}, {"reload"}};
    for (const auto& args : writes) {
        const auto result = as_user(args);
        EXPECT_EQ(result.exit_code, 1) << args[0] << ": " << result.out;
        EXPECT_EQ(error_of(result)["code"], "forbidden") << result.out;
        EXPECT_THAT(error_of(result)["message"].get<std::string>(), HasSubstr("access.write"));
    }

    // On the write list (by name), after a reload, it may.
    reload_as_root({{"socket_group", group}, {"read", {"@" + group}}, {"write", {user}}});
    const auto backup = as_user({"backup", "lab/dqn.pkl"});
    EXPECT_EQ(backup.exit_code, 0) << backup.out << backup.err;
    EXPECT_EQ(as_user({"reload"}).exit_code, 0);
}

TEST_F(AccessTest, NobodyIsToldWhichListToJoinAndAReloadLetsItIn) {
    // nogroup is nobody's primary group, so it can connect.
    config["access"] = {{"socket_group", "nogroup"}};
    start_daemon();
    auto result = as_nobody({"list"});
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_EQ(error_of(result)["code"], "forbidden");
    EXPECT_THAT(error_of(result)["message"].get<std::string>(),
                HasSubstr("nobody may not run `list`"));
    EXPECT_THAT(error_of(result)["message"].get<std::string>(), HasSubstr("access.read"));

    reload_as_root({{"socket_group", "nogroup"}, {"read", {"nobody"}}});
    result = as_nobody({"list"});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    result = as_nobody({"backup", "--all"});
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_THAT(error_of(result)["message"].get<std::string>(), HasSubstr("access.write"));
}

TEST_F(AccessTest, RestoreWritesOnlyWhereTheCallerMayAndGivesTheCallerTheFiles) {
    config["access"] = {{"socket_group", "nogroup"}, {"read", {"nobody"}}};
    start_daemon();
    write_model("dqn.pkl", pickle("weights of nobody's model"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    const struct passwd* nobody = ::getpwnam("nobody");
    ASSERT_NE(nobody, nullptr);

    // Into a folder of its own: the files are nobody's, not root's or the daemon's.
    const auto own = dir / "nobody-home";
    std::filesystem::create_directories(own);
    ASSERT_EQ(::chown(own.c_str(), nobody->pw_uid, nobody->pw_gid), 0);
    const auto restored = as_nobody({"restore", "lab/dqn.pkl", "--to", own.string()});
    ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
    struct stat st {};
    ASSERT_EQ(::stat((own / "dqn.pkl").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, nobody->pw_uid);
    EXPECT_EQ(read_file(own / "dqn.pkl"), pickle("weights of nobody's model"));

    // Into a folder only root may write (the daemon could): refused, nothing written.
    const auto root_only = dir / "root-only";
    std::filesystem::create_directories(root_only);
    std::filesystem::permissions(root_only, std::filesystem::perms::owner_all |
                                                std::filesystem::perms::group_exec |
                                                std::filesystem::perms::others_exec);
    const auto refused = as_nobody({"restore", "lab/dqn.pkl", "--to", root_only.string()});
    EXPECT_NE(refused.exit_code, 0) << refused.out << refused.err;
    EXPECT_THAT(refused.out + refused.err, HasSubstr("ermission denied"));
    EXPECT_TRUE(std::filesystem::is_empty(root_only)) << "not even a temporary file is left";
    // Nor may it create the folder below one it cannot write.
    const auto below = as_nobody({"restore", "lab/dqn.pkl", "--to", (root_only / "sub").string()});
    EXPECT_NE(below.exit_code, 0) << below.out << below.err;
    EXPECT_TRUE(std::filesystem::is_empty(root_only));
}

TEST_F(AccessTest, ARefusedRollbackSaysWhatRollbackCanDo) {
    // The user may roll back (access.write) but not write into the watched folder.
    config["access"] = {{"socket_group", group}, {"write", {user}}};
    start_daemon();
    write_model("dqn.pkl", pickle("first"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    write_model("dqn.pkl", pickle("second"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 2));
    const auto refused = as_user({"rollback", "lab/dqn.pkl@1.0.0"});
    EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
    EXPECT_EQ(error_of(refused)["code"], "io") << refused.out;
    const std::string message = error_of(refused)["message"];
    EXPECT_THAT(message, HasSubstr("you may not write to the folder " + models.string()));
    // rollback has no --to: the way out is running it as the folder's owner, or restore.
    EXPECT_THAT(message, Not(HasSubstr("with --to")));
    EXPECT_THAT(message, HasSubstr("`modelvaultctl restore lab/dqn.pkl@1.0.0 --to DIR`"));
    EXPECT_EQ(read_file(models / "dqn.pkl"), pickle("second"));
}

TEST_F(AccessTest, TheDaemonsOwnUserAndRootMayDoEverything) {
    // The daemon runs as the test user, in a folder of its own, on no list at all.
    const auto own = dir / "own";
    std::filesystem::create_directories(own);
    ASSERT_EQ(::chown(own.c_str(), user_uid, user_gid), 0);
    socket = own / "mv.sock";
    config["socket"] = socket.string();
    config["vault"] = (own / "vault").string();
    daemon_wrapper = {"setpriv", "--reuid=" + user, "--regid=" + std::to_string(user_gid),
                      "--init-groups", "--"};
    start_daemon();
    struct stat st {};
    ASSERT_EQ(::lstat(socket.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, user_uid);
    EXPECT_EQ(st.st_gid, user_gid) << "no socket_group: the daemon's own group";

    write_model("dqn.pkl", pickle("weights"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    const auto own_user = as_user({"backup", "lab/dqn.pkl"});
    EXPECT_EQ(own_user.exit_code, 0) << own_user.out << own_user.err;
    const auto root = ctl({"backup", "lab/dqn.pkl", "--bump", "minor"});
    EXPECT_EQ(root.exit_code, 0) << root.out << root.err;
    // nobody is neither: not even the socket lets it in.
    EXPECT_EQ(error_of(as_nobody({"status"}))["code"], "forbidden");
}

} // namespace
} // namespace mv::test
