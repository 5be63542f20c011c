#include "ctl/stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "ctl/request.hpp"

namespace mv::ctl {

namespace {
constexpr int k_stream_pipe_bytes = 1 << 20;
} // namespace

bool StreamOutcome::daemon_failed_first() const {
    if (reply.ok()) {
        return false;
    }
    // "cancelled" only says the client stopped reading: the client's own error is the
    // reason. Anything else (a damaged chunk, a missing version) cut the stream short.
    const std::string code = reply.message.value("error", json::object()).value("code", "");
    return code != "cancelled" || !local_error;
}

StreamOutcome stream_version(const GlobalOptions& global, const std::string& target,
                             const std::string& members,
                             const std::function<void(UniqueFd stream)>& consume,
                             const json& extra_args) {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) {
        throw Error(errno_message("cannot create a pipe", errno), ErrorCode::io);
    }
    UniqueFd read_end(ends[0]);
    UniqueFd write_end(ends[1]);
    // A 64 KiB pipe made daemon and client take turns every 64 KiB; 1 MiB (the default
    // limit for unprivileged users, /proc/sys/fs/pipe-max-size) lets both run. Best effort.
    ::fcntl(write_end.get(), F_SETPIPE_SZ, k_stream_pipe_bytes);
    auto client = ipc::Client::connect(global.socket);
    json args = {{"target", target}, {"members", members}};
    args.update(extra_args);
    const json request = {{"id", 1}, {"command", "restore"}, {"args", args}};
    client.send_raw(request.dump() + "\n", {write_end.get()});
    write_end.reset(); // only the daemon holds it now: its end of the stream is our EOF
    StreamOutcome outcome;
    try {
        consume(std::move(read_end));
    } catch (...) {
        outcome.local_error = std::current_exception();
    }
    do {
        outcome.reply = client.read_line();
    } while (outcome.reply.message.contains("progress"));
    return outcome;
}

int report_stream_failure(const GlobalOptions& global, const StreamOutcome& outcome) {
    if (outcome.daemon_failed_first()) {
        return report_error(global, outcome.reply.message);
    }
    if (outcome.local_error) {
        try {
            std::rethrow_exception(outcome.local_error);
        } catch (const Error& e) {
            return report_error(global, e);
        }
    }
    return -1;
}

} // namespace mv::ctl
