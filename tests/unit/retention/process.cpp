#include "tests/unit/retention/process.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>

#include "tests/lib/temp_dir.hpp"

extern char** environ;

namespace mv::test {

namespace {

struct Running {
    std::size_t index = 0;
    pid_t pid = -1;
    std::filesystem::path out;
    std::filesystem::path err;
};

// Starts `command`; on failure records the reason in `result` and returns -1.
pid_t start(const std::vector<std::string>& command, const Running& files, ProcessResult& result) {
    std::vector<char*> argv;
    for (const std::string& arg : command) {
        argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, files.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 2, files.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    pid_t pid = -1;
    const int error = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
        result.exit_code = 127;
        result.err = "cannot start " + command.front() + ": " + std::strerror(error);
        return -1;
    }
    return pid;
}

void finish(const Running& running, int status, ProcessResult& result) {
    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.exit_code = 128 + WTERMSIG(status);
    }
    result.out = read_file(running.out);
    result.err = read_file(running.err);
    std::filesystem::remove(running.out);
    std::filesystem::remove(running.err);
}

} // namespace

std::vector<ProcessResult> run_all(const std::vector<std::vector<std::string>>& commands,
                                   const std::filesystem::path& scratch, int jobs) {
    std::vector<ProcessResult> results(commands.size());
    std::vector<Running> running;
    std::size_t next = 0;
    while (next < commands.size() || !running.empty()) {
        // Fill the free slots …
        while (next < commands.size() && static_cast<int>(running.size()) < jobs) {
            Running slot;
            slot.index = next;
            slot.out = scratch / ("out-" + std::to_string(next));
            slot.err = scratch / ("err-" + std::to_string(next));
            slot.pid = start(commands[next], slot, results[next]);
            if (slot.pid > 0) {
                running.push_back(slot);
            }
            ++next;
        }
        if (running.empty()) {
            continue;
        }
        // … then wait for one of ours to end (never for a child we did not start).
        int status = 0;
        const pid_t pid = ::waitpid(running.front().pid, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
        }
        finish(running.front(), status, results[running.front().index]);
        running.erase(running.begin());
    }
    return results;
}

ProcessResult run(const std::vector<std::string>& command, const std::filesystem::path& scratch) {
    return run_all({command}, scratch, 1).front();
}

} // namespace mv::test
