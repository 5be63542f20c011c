#include "tests/lib/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace mv::test {

namespace {

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
    std::map<std::string, std::string> all;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry(*e);
        const auto eq = entry.find('=');
        all[entry.substr(0, eq)] = eq == std::string::npos ? "" : entry.substr(eq + 1);
    }
    for (const auto& [key, value] : extra) {
        all[key] = value;
    }
    std::vector<std::string> result;
    for (const auto& [key, value] : all) {
        result.push_back(key + "=" + value);
    }
    return result;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> result;
    for (auto& s : strings) {
        result.push_back(s.data());
    }
    result.push_back(nullptr);
    return result;
}

int decode_status(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return -1;
}

} // namespace

CommandResult run(const std::vector<std::string>& argv, const CommandOptions& options) {
    int in_pipe[2];
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 ||
        ::pipe2(err_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    std::vector<std::string> args = argv;
    std::vector<std::string> env = merged_environment(options.env);
    auto arg_pointers = pointers(args);
    auto env_pointers = pointers(env);
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::dup2(in_pipe[0], 0);
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) {
            ::_exit(126);
        }
        ::execvpe(arg_pointers[0], arg_pointers.data(), env_pointers.data());
        const std::string message = "exec " + argv[0] + " failed: " + std::strerror(errno) + "\n";
        (void)::write(2, message.data(), message.size());
        ::_exit(127);
    }
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    CommandResult result;
    std::size_t input_done = 0;
    if (options.input.empty()) {
        ::close(in_pipe[1]);
        in_pipe[1] = -1;
    } else {
        ::fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
    }
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    bool out_open = true;
    bool err_open = true;
    bool timed_out = false;
    while (out_open || err_open) {
        pollfd fds[3] = {
            {out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}, {in_pipe[1], POLLOUT, 0}};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            ::kill(pid, SIGKILL);
            break;
        }
        ::poll(fds, in_pipe[1] >= 0 ? 3 : 2, static_cast<int>(std::min<long>(left.count(), 200)));
        char buffer[65536];
        for (int i = 0; i < 2; ++i) {
            if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
                const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
                if (got > 0) {
                    (i == 0 ? result.out : result.err)
                        .append(buffer, static_cast<std::size_t>(got));
                } else if (got == 0 || errno != EINTR) {
                    (i == 0 ? out_open : err_open) = false;
                }
            }
        }
        if (in_pipe[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
            const ssize_t put = ::write(in_pipe[1], options.input.data() + input_done,
                                        options.input.size() - input_done);
            if (put > 0) {
                input_done += static_cast<std::size_t>(put);
            }
            if (put < 0 || input_done == options.input.size()) {
                ::close(in_pipe[1]);
                in_pipe[1] = -1;
            }
        }
    }
    if (in_pipe[1] >= 0) {
        ::close(in_pipe[1]);
    }
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = decode_status(status);
    if (timed_out) {
        result.err += "\n[test harness: killed after timeout]\n";
    }
    return result;
}

CommandResult sh(const std::string& script, const CommandOptions& options) {
    return run({"/bin/sh", "-c", script}, options);
}

Child::Child(const std::vector<std::string>& argv, const std::filesystem::path& log_file,
             const std::map<std::string, std::string>& env) {
    std::vector<std::string> args = argv;
    std::vector<std::string> environment = merged_environment(env);
    auto arg_pointers = pointers(args);
    auto env_pointers = pointers(environment);
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        const int out = log_file.empty()
                            ? ::open("/dev/null", O_WRONLY)
                            : ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        const int in = ::open("/dev/null", O_RDONLY);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(out, 2);
        ::execvpe(arg_pointers[0], arg_pointers.data(), env_pointers.data());
        ::_exit(127);
    }
    ::setpgid(pid, pid);
    m_pid = pid;
}

Child::~Child() {
    if (m_pid > 0 && !m_exit) {
        ::kill(-m_pid, SIGKILL);
        ::kill(m_pid, SIGKILL);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
    }
}

void Child::signal(int signal) const {
    if (m_pid > 0) {
        ::kill(m_pid, signal);
    }
}

std::optional<int> Child::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!m_exit) {
        int status = 0;
        const pid_t done = ::waitpid(m_pid, &status, WNOHANG);
        if (done == m_pid) {
            m_exit = decode_status(status);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return m_exit;
}

bool Child::running() {
    return !wait(std::chrono::milliseconds(0)).has_value();
}

} // namespace mv::test
