#include "daemon/http_api.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/daemon.hpp"
#include "http/api_error.hpp"
#include "http/models.hpp"
#include "http/router.hpp"

namespace mv::daemon {

namespace {

using nlohmann::json;

// The final answer of a command as an HTTP response; progress lines are dropped.
class HttpResponder final : public ipc::Responder {
public:
    HttpResponder(std::shared_ptr<http::Reply> reply, http::Route::Kind kind)
        : m_reply(std::move(reply)), m_kind(kind) {}
    void progress(json) override {}
    void succeed(json result, UniqueFd) override {
        // A descriptor (restore's archive) is closed here: no route asks for one.
        const json body =
            m_kind == http::Route::Kind::models ? http::models_from_list(result) : result;
        m_reply->send({200,
                       http::k_json_type,
                       body.dump(-1, ' ', false, json::error_handler_t::replace),
                       {}});
    }
    void fail(ErrorCode code, std::string message) override {
        const http::ApiError error(code, std::move(message));
        m_reply->send({error.status(), http::k_json_type, error.body(), {}});
    }
    bool connected() const override { return true; }

private:
    std::shared_ptr<http::Reply> m_reply;
    http::Route::Kind m_kind;
};

http::Response error_response(const http::ApiError& error) {
    http::Response response{error.status(), http::k_json_type, error.body(), {}};
    if (error.status() == 401) {
        response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"modelvault\"");
    }
    return response;
}

} // namespace

HttpApi::HttpApi(Daemon& daemon, const config::Http& config)
    : m_daemon(daemon), m_config(config), m_tokens(http::Tokens::load(config.tokens_file)),
      m_server(daemon.io(), [this](http::Request request, std::shared_ptr<http::Reply> reply) {
          handle(std::move(request), std::move(reply));
      }) {}

void HttpApi::listen() {
    m_server.listen(m_config.host, m_config.port);
    spdlog::info("serving HTTP on {} ({} token(s) from {})", address(), m_tokens.size(),
                 m_config.tokens_file.string());
}

void HttpApi::use_tokens(http::Tokens tokens, const config::Http& config) {
    if (config.host != m_config.host || config.port != m_config.port) {
        spdlog::warn("reload: `http.listen` changed; that takes a restart, still serving {}",
                     address());
    }
    m_tokens = std::move(tokens);
    m_config.tokens_file = config.tokens_file;
}

void HttpApi::stop() {
    m_server.stop();
}

std::string HttpApi::address() const {
    const bool v6 = m_config.host.find(':') != std::string::npos;
    return fmt::format("http://{}{}{}:{}/", v6 ? "[" : "", m_config.host, v6 ? "]" : "",
                       m_server.port());
}

void HttpApi::handle(http::Request request, std::shared_ptr<http::Reply> reply) {
    try {
        const auto target = http::parse_target(request.target);
        const auto token = http::bearer_token(request.authorization);
        if (!token) {
            throw http::ApiError(401, "unauthorized",
                                 "send a token from the daemon's http.tokens_file as "
                                 "`Authorization: Bearer TOKEN` (docs/HTTP.md, \"Tokens\")");
        }
        const auto holder = m_tokens.find(*token);
        if (!holder) {
            spdlog::warn("HTTP: {} {} with an unknown token", request.method,
                         request.target.substr(0, request.target.find('?')));
            throw http::ApiError(401, "unauthorized",
                                 "the token is not in the daemon's http.tokens_file (a "
                                 "removed token stops working at the next reload)");
        }
        const auto route = http::route(request.method, target, request.body);
        if (route.kind == http::Route::Kind::metrics) {
            reply->send({200,
                         "text/plain; version=0.0.4; charset=utf-8",
                         m_daemon.notifications().metrics_text(),
                         {}});
            return;
        }
        const auto granted =
            holder->grant == http::Grant::write ? AccessLevel::write : AccessLevel::read;
        m_daemon.dispatch_granted(granted,
                                  fmt::format("http {} token (line {} of {})",
                                              granted == AccessLevel::write ? "write" : "read",
                                              holder->line, m_config.tokens_file.string()),
                                  ipc::Request{nullptr, route.command, route.args, {}},
                                  std::make_shared<HttpResponder>(reply, route.kind));
    } catch (const http::ApiError& error) {
        reply->send(error_response(error));
    }
}

} // namespace mv::daemon
