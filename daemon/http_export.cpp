// GET /api/v1/models/{model}/versions/{selector}/export (docs/HTTP.md, "Export"): the
// version as the plain tar.zst `modelvaultctl export` writes, made the same way — the
// `restore` command streams the verified tar into a pipe (so the request is checked and
// audited as on the socket), vault::export_stream checks every member and compresses it
// into an anonymous file on the vault's file system, and only a complete, checked archive
// is sent; a version that fails its check is an error, never a torn download.
#include <fcntl.h>
#include <future>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/commands/common.hpp"
#include "daemon/daemon.hpp"
#include "daemon/http_api.hpp"
#include "vault/export_stream.hpp"
#include "vault/readme.hpp"

namespace mv::daemon {

namespace {

using nlohmann::json;

struct CommandOutcome {
    bool ok = false;
    ErrorCode code = ErrorCode::internal;
    std::string message;
};

// The final answer of the `restore` command, for the thread that compresses its stream.
class OutcomeResponder final : public ipc::Responder {
public:
    std::shared_future<CommandOutcome> outcome() { return m_promise.get_future().share(); }
    void progress(json) override {}
    void succeed(json, UniqueFd) override { settle({true, {}, {}}); }
    void fail(ErrorCode code, std::string message) override {
        settle({false, code, std::move(message)});
    }
    bool connected() const override { return true; }

private:
    void settle(CommandOutcome outcome) {
        if (!m_settled.exchange(true)) {
            m_promise.set_value(std::move(outcome));
        }
    }
    std::promise<CommandOutcome> m_promise;
    std::atomic<bool> m_settled{false};
};

UniqueFd anonymous_file(const std::filesystem::path& folder) {
    UniqueFd fd(::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (!fd) {
        throw http::ApiError(ErrorCode::io,
                             errno_message("cannot make the export's file in " + folder.string() +
                                               " (an O_TMPFILE, never linked)",
                                           errno));
    }
    return fd;
}

// Compresses and checks the stream of the version; the answer once the command answered.
http::Response finish_export(UniqueFd stream, UniqueFd archive,
                             const std::shared_future<CommandOutcome>& outcome) {
    std::optional<vault::ExportResult> result;
    std::optional<http::ApiError> local_error;
    try {
        result = vault::export_stream(std::move(stream), archive.get(), {});
    } catch (const Error& e) {
        local_error.emplace(e.code(), e.what());
    } catch (const std::exception& e) {
        local_error.emplace(ErrorCode::internal, e.what());
    }
    // The daemon's error comes first: a stream cut short is its consequence.
    if (const CommandOutcome& command = outcome.get(); !command.ok) {
        return error_response(http::ApiError(command.code, command.message));
    }
    if (local_error) {
        spdlog::error("HTTP export failed: {}", local_error->what());
        return error_response(*local_error);
    }
    http::Response response{
        200,
        "application/zstd",
        {},
        {{"Content-Disposition",
          fmt::format("attachment; filename=\"{}\"", vault::export_file_name(result->manifest))}}};
    response.file = std::move(archive);
    return response;
}

} // namespace

void HttpApi::export_version(const Caller& caller, const http::Route& route,
                             const std::shared_ptr<http::Reply>& reply) {
    json args = route.args;
    const bool decrypt = args.value("decrypt", false);
    args.erase("decrypt");
    try {
        const vault::Vault& vault = m_daemon.vault();
        const auto manifest =
            vault.load(commands::resolve(vault, commands::parse_target(vault, args)));
        if (manifest.storage.encrypted && !decrypt) {
            // As `modelvaultctl export --decrypt` (docs/FORMAT.md, "Encryption").
            throw http::ApiError(400, "invalid_argument",
                                 "the version is stored encrypted and the export is a plain "
                                 "archive: add ?decrypt=true to have it in clear");
        }
    } catch (const Error& e) {
        throw http::ApiError(e.code(), e.what());
    }
    if (m_exports_running.load() >= k_export_slots) {
        throw http::ApiError(503, "unavailable",
                             fmt::format("{} exports are running, the most at once; try again "
                                         "when one has finished",
                                         k_export_slots));
    }
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) {
        throw http::ApiError(ErrorCode::io, errno_message("cannot create a pipe", errno));
    }
    auto stream = std::make_shared<UniqueFd>(ends[0]);
    UniqueFd write_end(ends[1]);
    auto archive = std::make_shared<UniqueFd>(anonymous_file(m_daemon.vault().root()));
    auto responder = std::make_shared<OutcomeResponder>();
    ++m_exports_running;
    static std::atomic<std::uint64_t> next{0};
    const bool queued = m_exports.submit(
        fmt::format("export-{}", ++next),
        [this, stream, archive, outcome = responder->outcome(), reply](const std::stop_token&) {
            reply->send(finish_export(std::move(*stream), std::move(*archive), outcome));
            --m_exports_running;
        });
    if (!queued) {
        --m_exports_running;
        throw http::ApiError(503, "unavailable", "the daemon is stopping");
    }
    args["members"] = "all";
    std::vector<UniqueFd> fds;
    fds.push_back(std::move(write_end)); // the command holds the only write end: our EOF
    m_daemon.dispatch_granted(caller.access, caller.holder,
                              ipc::Request{nullptr, "restore", std::move(args), std::move(fds)},
                              responder);
}

} // namespace mv::daemon
