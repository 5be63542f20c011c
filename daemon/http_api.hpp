#pragma once
// The daemon's side of the HTTP server (docs/HTTP.md): checks the bearer token, asks
// http/router which command a request runs, and runs it through the same dispatcher as
// the control socket (Daemon::dispatch_granted), so that HTTP clients read versions
// through the commands' narrow interfaces and follow the same read/write rules.

#include <atomic>
#include <memory>
#include <string>

#include "config/model.hpp"
#include "daemon/access.hpp"
#include "daemon/job_queue.hpp"
#include "http/api_error.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/sessions.hpp"
#include "http/tls.hpp"
#include "http/tokens.hpp"

namespace mv::daemon {

class Daemon;

/// An error as a small HTML page, for the dashboard's pages.
http::Response page_error(const http::ApiError& error);
/// An error as the API's JSON answer (with the scheme to use on a 401).
http::Response error_response(const http::ApiError& error);

class HttpApi {
public:
    /// Reads the tokens file and the TLS files of `config`; throws Error when one cannot
    /// be used.
    HttpApi(Daemon& daemon, const config::Http& config);
    HttpApi(const HttpApi&) = delete;
    HttpApi& operator=(const HttpApi&) = delete;

    /// Starts serving; throws Fatal when the address cannot be bound.
    void listen();

    /// What a reload reads again: the tokens, and the certificate and key when TLS is on
    /// (a renewed certificate is served without a restart; docs/HTTP.md, "TLS").
    struct Files {
        http::Tokens tokens;
        std::shared_ptr<boost::asio::ssl::context> tls; ///< null: TLS is off
    };
    /// Reads the files of `config`, a reloaded config; throws Error when one cannot be used
    /// (the reload is then rejected and nothing changes).
    Files read_files(const config::Http& config) const;
    /// Takes `files`, read from `config` by read_files(). New connections use the new TLS
    /// context, open ones keep theirs; a new address, or TLS turned on or off, takes a
    /// restart, which is logged.
    void use_files(Files files, const config::Http& config);
    void stop();
    /// "http://127.0.0.1:8470/" (or https://) as served.
    std::string address() const;

private:
    /// Who sent `request`: its bearer token, or on a GET its session cookie (which grants
    /// reading only). Throws ApiError 401.
    struct Caller {
        AccessLevel access;
        std::string holder; ///< for the audit log: "http read token (line 1 of FILE)"
        /// The level of the token itself, by header or behind a session: what a page may
        /// show (the audit log, the next prune's plan) — never what a request may change.
        AccessLevel page_access;
        std::string page_holder; ///< "http write session (line 2 of FILE)"
    };
    Caller identify(const http::Request& request) const;
    void handle(http::Request request, std::shared_ptr<http::Reply> reply);
    /// `PAGE?token=TOKEN` (the overview `/` or a model's page): a session cookie for
    /// reading, and on to `path`, the page without the token (http_pages.cpp).
    void log_in(const std::string& token, const std::string& path,
                const std::shared_ptr<http::Reply>& reply);
    /// The dashboard's pages, rendered from `status`, `list`, `diff` and `audit`
    /// (http_pages.cpp).
    void serve_page(const http::Route& route, const Caller& caller,
                    const std::shared_ptr<http::Reply>& reply);
    /// A model's page: `list`, and for a write token the dry run of `prune`.
    void serve_model_page(const http::Route& route, const Caller& caller,
                          const std::shared_ptr<http::Reply>& reply);
    /// A version's plain tar.zst, as `modelvaultctl export` writes it (http_export.cpp).
    void export_version(const Caller& caller, const http::Route& route,
                        const std::shared_ptr<http::Reply>& reply);

    Daemon& m_daemon;
    config::Http m_config;
    http::Tokens m_tokens;
    std::shared_ptr<boost::asio::ssl::context> m_tls; ///< null: plain HTTP
    http::Sessions m_sessions;
    http::Server m_server;
    /// Exports compress on threads of their own, at most this many at once: each waits
    /// for a `restore` stream (docs/HTTP.md, "Export").
    static constexpr int k_export_slots = 2;
    std::atomic<int> m_exports_running{0};
    JobQueue m_exports{"export", k_export_slots}; ///< last: its jobs use the members above
};

} // namespace mv::daemon
