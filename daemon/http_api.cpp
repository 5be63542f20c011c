#include "daemon/http_api.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/daemon.hpp"
#include "http/api_error.hpp"
#include "http/models.hpp"
#include "http/router.hpp"
#include "http/target.hpp"
#include "web/html.hpp"

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

// A page's address with `?token=` (a browser's log-in): the token and the address to go
// on to without it — the path as sent (still %-encoded) and the other query parameters,
// so that /diff?a=…&b=…&token=… opens the diff. nullopt when there is no token.
std::optional<std::pair<std::string, std::string>>
address_without_token(std::string_view raw, const http::Target& target) {
    std::optional<std::pair<std::string, std::string>> found;
    std::string query;
    for (const auto& [name, value] : target.query) {
        if (name == "token" && !found) {
            found.emplace(value, "");
        } else {
            query += fmt::format("{}{}={}", query.empty() ? "?" : "&", http::percent_encode(name),
                                 http::percent_encode(value));
        }
    }
    if (found) {
        found->second = std::string(raw.substr(0, raw.find('?'))) + query;
    }
    return found;
}

} // namespace

http::Response error_response(const http::ApiError& error) {
    http::Response response{error.status(), http::k_json_type, error.body(), {}};
    if (error.status() == 401) {
        response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"modelvault\"");
    }
    return response;
}

http::Response page_error(const http::ApiError& error) {
    return {error.status(),
            "text/html; charset=utf-8",
            web::html_page("modelvault", fmt::format("<header><h1><a href=\"/\">modelvault</a>"
                                                     "</h1></header><p class=\"problem\">{}</p>",
                                                     web::escape_html(error.what()))),
            {}};
}

HttpApi::HttpApi(Daemon& daemon, const config::Http& config)
    : m_daemon(daemon), m_config(config), m_tokens(http::Tokens::load(config.tokens_file)),
      m_tls(config.tls() ? http::load_tls_context(config.tls_cert, config.tls_key) : nullptr),
      m_server(daemon.io(), [this](http::Request request, std::shared_ptr<http::Reply> reply) {
          handle(std::move(request), std::move(reply));
      }) {
    m_server.use_tls(m_tls);
}

void HttpApi::listen() {
    m_server.listen(m_config.host, m_config.port);
    spdlog::info("serving HTTP on {} ({} token(s) from {}{})", address(), m_tokens.size(),
                 m_config.tokens_file.string(),
                 m_tls ? fmt::format("; TLS certificate {}: {}", m_config.tls_cert.string(),
                                     http::describe_certificate(*m_tls))
                       : "");
}

HttpApi::Files HttpApi::read_files(const config::Http& config) const {
    Files files{http::Tokens::load(config.tokens_file), nullptr};
    if (config.tls() && m_config.tls()) {
        files.tls = http::load_tls_context(config.tls_cert, config.tls_key);
    }
    return files;
}

void HttpApi::use_files(Files files, const config::Http& config) {
    if (config.host != m_config.host || config.port != m_config.port) {
        spdlog::warn("reload: `http.listen` changed; that takes a restart, still serving {}",
                     address());
    }
    if (config.tls() != m_config.tls()) {
        spdlog::warn("reload: `http.tls_cert` and `http.tls_key` were {}; turning TLS on or off "
                     "takes a restart, still serving {}",
                     config.tls() ? "added" : "removed", address());
    } else if (files.tls) {
        m_tls = std::move(files.tls);
        m_server.use_tls(m_tls);
        m_config.tls_cert = config.tls_cert;
        m_config.tls_key = config.tls_key;
        spdlog::info("reload: new HTTPS connections get the TLS certificate {}: {}",
                     m_config.tls_cert.string(), http::describe_certificate(*m_tls));
    }
    m_tokens = std::move(files.tokens);
    m_config.tokens_file = config.tokens_file;
}

void HttpApi::stop() {
    m_server.stop();
}

std::string HttpApi::address() const {
    const bool v6 = m_config.host.find(':') != std::string::npos;
    return fmt::format("{}://{}{}{}:{}/", m_tls ? "https" : "http", v6 ? "[" : "", m_config.host,
                       v6 ? "]" : "", m_server.port());
}

HttpApi::Caller HttpApi::identify(const http::Request& request) const {
    std::optional<http::TokenHolder> holder;
    bool by_cookie = false;
    if (const auto token = http::bearer_token(request.authorization)) {
        holder = m_tokens.find(*token);
    } else if (const auto id = http::session_cookie(request.cookie);
               id && request.method == "GET") {
        // The token is checked again: one removed from the file ends its sessions.
        const auto session_token = m_sessions.token_of(*id);
        holder = session_token ? m_tokens.find(*session_token) : std::nullopt;
        by_cookie = true;
    } else {
        throw http::ApiError(401, "unauthorized",
                             "send a token from the daemon's http.tokens_file as "
                             "`Authorization: Bearer TOKEN`, or open /?token=TOKEN once in a "
                             "browser (docs/HTTP.md, \"Tokens\")");
    }
    if (!holder) {
        spdlog::warn("HTTP: {} {} with an unknown {}", request.method,
                     request.target.substr(0, request.target.find('?')),
                     by_cookie ? "session" : "token");
        throw http::ApiError(401, "unauthorized",
                             by_cookie ? "the session ended (the daemon restarted, or its token "
                                         "was removed); open /?token=TOKEN again"
                                       : "the token is not in the daemon's http.tokens_file (a "
                                         "removed token stops working at the next reload)");
    }
    // A session cookie reads; anything that changes something needs the header.
    const bool write_token = holder->grant == http::Grant::write;
    const bool writes = write_token && !by_cookie;
    const auto describe = [&](bool write) {
        return fmt::format("http {} {} (line {} of {})", write ? "write" : "read",
                           by_cookie ? "session" : "token", holder->line,
                           m_config.tokens_file.string());
    };
    return {writes ? AccessLevel::write : AccessLevel::read, describe(writes),
            write_token ? AccessLevel::write : AccessLevel::read, describe(write_token)};
}

void HttpApi::handle(http::Request request, std::shared_ptr<http::Reply> reply) {
    bool page = false;
    try {
        const auto target = http::parse_target(request.target);
        page = target.segments.empty() || target.segments.front() == "models" ||
               target.segments.front() == "diff" || target.segments.front() == "audit";
        if (const auto next = page && request.method == "GET"
                                  ? address_without_token(request.target, target)
                                  : std::nullopt) {
            log_in(next->first, next->second, reply);
            return;
        }
        const Caller caller = identify(request);
        const auto route = http::route(request.method, target, request.body);
        switch (route.kind) {
        case http::Route::Kind::metrics:
            reply->send({200,
                         "text/plain; version=0.0.4; charset=utf-8",
                         m_daemon.notifications().metrics_text(),
                         {}});
            return;
        case http::Route::Kind::openapi:
            reply->send({200, http::k_json_type, http::openapi_document().dump(), {}});
            return;
        case http::Route::Kind::overview:
        case http::Route::Kind::model_page:
        case http::Route::Kind::diff_page:
        case http::Route::Kind::audit_page:
            serve_page(route, caller, reply);
            return;
        case http::Route::Kind::export_archive:
            export_version(caller, route, reply);
            return;
        case http::Route::Kind::command:
        case http::Route::Kind::models:
            break;
        }
        m_daemon.dispatch_granted(caller.access, caller.holder,
                                  ipc::Request{nullptr, route.command, route.args, {}},
                                  std::make_shared<HttpResponder>(reply, route.kind));
    } catch (const http::ApiError& error) {
        reply->send(page ? page_error(error) : error_response(error));
    }
}

} // namespace mv::daemon
