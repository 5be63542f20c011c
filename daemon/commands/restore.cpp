// restore MODEL@SEL: streams the version as a plain tar into the pipe whose write end the
// client passed with the request (SCM_RIGHTS), every chunk verified on the way, and
// answers once the stream is complete — or with what went wrong, naming the model,
// version, file and chunk. modelvaultctl verifies each file's SHA-256 and writes the
// files with the rights of the user who asked (docs/PROTOCOL.md, "restore").
#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/commands/common.hpp"
#include "daemon/commands/compatible.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/events.hpp"
#include "daemon/job_queue.hpp"
#include "daemon/notifications.hpp"
#include "daemon/services.hpp"
#include "util/fs.hpp"
#include "vault/tar_stream.hpp"
#include "vault/vault.hpp"
#include "vault/version_reader.hpp"

namespace mv::daemon::commands {

namespace {

/// A client that reads nothing for this long is given up on (as the socket does).
constexpr int k_stalled_ms = 60'000;

// The client's end of the stream: fails when it went away, stopped reading, or the daemon
// stops.
class PipeSink {
public:
    PipeSink(std::shared_ptr<UniqueFd> fd, const std::stop_token& stop)
        : m_fd(std::move(fd)), m_stop(stop) {
        ::fcntl(m_fd->get(), F_SETFL, ::fcntl(m_fd->get(), F_GETFL) | O_NONBLOCK);
    }
    void operator()(const char* data, std::size_t size) {
        while (size > 0) {
            if (m_stop.stop_requested()) {
                throw Error("the restore was abandoned: modelvaultd is stopping",
                            ErrorCode::unavailable);
            }
            const ssize_t put = ::write(m_fd->get(), data, size);
            if (put > 0) {
                data += put;
                size -= static_cast<std::size_t>(put);
                m_written += static_cast<std::uint64_t>(put);
                continue;
            }
            if (put < 0 && errno == EPIPE) {
                throw Error("the client closed its end of the stream", ErrorCode::cancelled);
            }
            if (put < 0 && errno != EAGAIN && errno != EINTR) {
                throw Error(errno_message("cannot write to the client's pipe", errno),
                            ErrorCode::io);
            }
            struct pollfd ready = {m_fd->get(), POLLOUT, 0};
            // Short waits, so that a stop request is seen.
            int waited = 0;
            while (::poll(&ready, 1, 200) == 0) {
                waited += 200;
                if (waited >= k_stalled_ms || m_stop.stop_requested()) {
                    throw Error("the client stopped reading the stream", ErrorCode::cancelled);
                }
            }
        }
    }
    std::uint64_t written() const { return m_written; }

private:
    std::shared_ptr<UniqueFd> m_fd;
    const std::stop_token& m_stop;
    std::uint64_t m_written = 0;
};

// Before any byte flows: every chunk must be stored (a missing pack is named at once).
void check_present(const vault::Vault& vault, const vault::Manifest& manifest) {
    vault::VersionReader reader(vault.store());
    for (const auto& file : manifest.files) {
        if (const auto problems = reader.check_file(file); !problems.empty()) {
            throw Error(fmt::format("{} {}: {}; nothing was restored. Run `modelvaultctl verify "
                                    "{}` to see everything that is damaged",
                                    manifest.model, manifest.version.to_string(), problems.front(),
                                    manifest.model),
                        ErrorCode::corrupt);
        }
    }
}

void restore(CommandContext& c) {
    Services& d = c.services;
    const auto manifest = resolve(d.vault(), parse_target(d.vault(), c.args));
    if (const auto run = optional_run_compat(c.args)) {
        require_compatible(d, manifest, *run);
    }
    const std::string which = optional_string(c.args, "members").value_or("all");
    if (which != "all" && which != "model") {
        throw Error("argument \"members\" must be \"all\" or \"model\"",
                    ErrorCode::invalid_argument);
    }
    if (c.fds.size() != 1) {
        throw Error("restore sends the version through a pipe: pass the pipe's write end with the "
                    "request (SCM_RIGHTS, docs/PROTOCOL.md); modelvaultctl does",
                    ErrorCode::invalid_argument);
    }
    // A client that checks every file's SHA-256 before keeping it (modelvaultctl restore
    // and rollback) spares the daemon that second pass over the bytes; each chunk is
    // still checked against its name here.
    const auto whole_files = flag(c.args, "client_checks_files") ? vault::FileHashCheck::by_client
                                                                 : vault::FileHashCheck::here;
    auto out = std::make_shared<UniqueFd>(std::move(c.fds[0]));
    const auto members = which == "model" ? vault::Members::model_only : vault::Members::all;
    static std::atomic<std::uint64_t> next{0};
    const std::string key = fmt::format("stream-{}", ++next);
    // The daemon streams verified bytes; the client writes the files as its user.
    const std::string user = account_name(c.peer.uid);
    const std::string to = optional_string(c.args, "to").value_or("");
    spdlog::info("{} {}: archive handed to {} (uid {}) to restore{}", manifest.model,
                 manifest.version.to_string(), user, c.peer.uid, to.empty() ? "" : " into " + to);
    d.stream_jobs().submit(key, [&d, manifest, members, whole_files, out, user, to,
                                 responder = c.responder](const std::stop_token& stop) {
        try {
            const vault::Manifest full = d.vault().load(manifest);
            check_present(d.vault(), full);
            PipeSink sink(out, stop);
            vault::write_version_tar(d.vault().store(), full, members, std::ref(sink), stop,
                                     d.vault().signature_of(full), whole_files);
            out->reset(); // end of stream before the answer
            d.notifications().publish(
                restored_event(manifest, "restore", to, user, d.clock().now()));
            responder->succeed({{"model", full.model},
                                {"version", full.version.to_string()},
                                {"tags", d.vault().tags_of(manifest)},
                                {"bytes", sink.written()},
                                {"stream", "tar"}});
        } catch (const Error& e) {
            out->reset();
            responder->fail(e.code(), e.what());
        }
    });
}

} // namespace

void register_restore(CommandRegistry& registry) {
    registry.add({"restore", AccessLevel::read,
                  "stream a version, verified, into the client's pipe as a plain tar", restore,
                  Audit::yes});
}

} // namespace mv::daemon::commands
