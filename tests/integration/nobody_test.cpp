// Hostile or unlucky users, as the real user `nobody` (issue 10): one who may run nothing
// cannot lock root out by holding connections open (docs/PROTOCOL.md, "Limits") and is
// hung up on once answered; one whose restore cannot write is told which folder.
// Needs root (it switches to `nobody`): ctest label `root`.
#include <csignal>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>

#include "ipc/client.hpp"
#include "ipc/protocol.hpp"
#include "tests/integration/daemon_fixture.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// A process running as nobody:nogroup that does `work` and reports a number back.
class AsNobody {
public:
    template <typename Work>
    explicit AsNobody(Work work) {
        const struct passwd* nobody = ::getpwnam("nobody");
        const struct group* nogroup = ::getgrnam("nogroup");
        if (nobody == nullptr || nogroup == nullptr || ::pipe(m_pipe) != 0) {
            throw std::runtime_error("no nobody:nogroup, or no pipe");
        }
        const uid_t uid = nobody->pw_uid;
        const gid_t gid = nogroup->gr_gid;
        m_pid = ::fork();
        if (m_pid == 0) {
            ::close(m_pipe[0]);
            if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
                ::_exit(2);
            }
            const long result = work();
            (void)::write(m_pipe[1], &result, sizeof result);
            ::pause(); // keeps its connections until killed
            ::_exit(0);
        }
        ::close(m_pipe[1]);
    }
    ~AsNobody() {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
        ::close(m_pipe[0]);
    }
    AsNobody(const AsNobody&) = delete;
    AsNobody& operator=(const AsNobody&) = delete;

    /// What `work` returned (blocks until it is done).
    long result() const {
        long value = -1;
        return ::read(m_pipe[0], &value, sizeof value) == sizeof value ? value : -1;
    }

private:
    pid_t m_pid = -1;
    int m_pipe[2] = {-1, -1};
};

// A connected socket to `path`, or -1.
int connect_to(const std::filesystem::path& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    if (::connect(fd, reinterpret_cast<struct sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

class NobodyTest : public DaemonTest {
protected:
    void SetUp() override {
        DaemonTest::SetUp();
        // nobody must reach the socket in the test directory; nogroup (its group) may
        // connect, but it is on no access list.
        std::filesystem::permissions(dir.path(), std::filesystem::perms::others_exec,
                                     std::filesystem::perm_options::add);
        config["access"] = {{"socket_group", "nogroup"}};
    }
};

TEST_F(NobodyTest, IdleConnectionsOfAStrangerDoNotLockRootOut) {
    start_daemon();
    // nobody opens 140 connections and sends nothing on them: before the fix, the 128
    // slots filled and root's `status` was refused for the 300 s idle timeout.
    const std::filesystem::path path = socket;
    AsNobody flood([path] {
        long connected = 0;
        for (int i = 0; i < 140; ++i) {
            connected += connect_to(path) >= 0 ? 1 : 0;
        }
        return connected;
    });
    ASSERT_GT(flood.result(), 0);
    // Root is answered, and at once.
    const auto start = std::chrono::steady_clock::now();
    const auto status = ctl({"status"});
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
    EXPECT_LT(took, 1s);
    // The stranger's own new connections are refused with a reason, not left hanging.
    AsNobody another([path] {
        ipc::Client client = ipc::Client::connect(path);
        const auto reply = client.call("status", {}, {}, 5s);
        const std::string message = reply.message["error"].value("message", "");
        return message.find("connections open") != std::string::npos ? 1L : 0L;
    });
    EXPECT_EQ(another.result(), 1L);
    EXPECT_TRUE(daemon_running());
}

TEST_F(NobodyTest, AStrangerGetsItsAnswerAndIsHungUpOn) {
    start_daemon();
    const std::filesystem::path path = socket;
    AsNobody stranger([path] {
        ipc::Client client = ipc::Client::connect(path);
        const auto reply = client.call("status", {}, {}, 5s);
        if (reply.message["error"].value("code", "") != "forbidden") {
            return 0L;
        }
        try {
            client.read_line(5s); // the daemon closes the connection right after
        } catch (const ipc::UnreachableError& e) {
            return std::string(e.what()).find("closed the connection") != std::string::npos ? 1L
                                                                                            : 2L;
        }
        return 3L;
    });
    EXPECT_EQ(stranger.result(), 1L);
}

TEST_F(NobodyTest, ARestoreThatMayNotWriteNamesTheFolderAndIsNotForbidden) {
    config["access"]["read"] = {"nobody"};
    std::filesystem::create_directories(dir / "bin");
    std::filesystem::copy_file(binary("modelvaultctl"), dir / "bin/modelvaultctl");
    start_daemon();
    write_model("dqn.pkl", pickle("weights"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    // A folder nobody may enter but not write, and one below it.
    const auto root_only = dir / "root-only";
    std::filesystem::create_directories(root_only);
    std::filesystem::permissions(root_only, std::filesystem::perms::owner_all |
                                                std::filesystem::perms::others_exec);
    for (const auto& target : {root_only, root_only / "sub"}) {
        const auto out =
            run({"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
                 (dir / "bin/modelvaultctl").string(), "--socket", socket.string(), "--json",
                 "restore", "lab/dqn.pkl", "--to", target.string()});
        EXPECT_EQ(out.exit_code, 1) << out.out << out.err;
        const auto reply = nlohmann::json::parse(out.out, nullptr, false);
        ASSERT_TRUE(reply.is_object()) << out.out << out.err;
        // `forbidden` is the daemon refusing the user; this is the file system.
        EXPECT_EQ(reply["error"]["code"], "io") << out.out;
        EXPECT_THAT(reply["error"]["message"].get<std::string>(), HasSubstr(target.string()));
        EXPECT_THAT(reply["error"]["message"].get<std::string>(), HasSubstr("ermission denied"));
    }
    EXPECT_TRUE(std::filesystem::is_empty(root_only));
}

} // namespace
} // namespace mv::test
