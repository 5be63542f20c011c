#pragma once
// The daemon's side of the HTTP server (docs/HTTP.md): checks the bearer token, asks
// http/router which command a request runs, and runs it through the same dispatcher as
// the control socket (Daemon::dispatch_granted), so that HTTP clients read versions
// through the commands' narrow interfaces and follow the same read/write rules.

#include <memory>
#include <string>

#include "config/model.hpp"
#include "http/server.hpp"
#include "http/tokens.hpp"

namespace mv::daemon {

class Daemon;

class HttpApi {
public:
    /// Reads the tokens file of `config`; throws Error when it cannot be used.
    HttpApi(Daemon& daemon, const config::Http& config);
    HttpApi(const HttpApi&) = delete;
    HttpApi& operator=(const HttpApi&) = delete;

    /// Starts serving; throws Fatal when the address cannot be bound.
    void listen();
    /// Takes `tokens`, read from the tokens file of `config`, a reloaded config (a new
    /// address takes a restart, which is logged).
    void use_tokens(http::Tokens tokens, const config::Http& config);
    void stop();
    /// "http://127.0.0.1:8470/" as served.
    std::string address() const;

private:
    void handle(http::Request request, std::shared_ptr<http::Reply> reply);

    Daemon& m_daemon;
    config::Http m_config;
    http::Tokens m_tokens;
    http::Server m_server;
};

} // namespace mv::daemon
