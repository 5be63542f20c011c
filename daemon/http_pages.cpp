// The dashboard's side of HttpApi (docs/HTTP.md, "Dashboard"): the browser's log-in and
// the pages, rendered by web/ from the results of `status` and `list` run through the
// same dispatcher as every API request.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/daemon.hpp"
#include "daemon/http_api.hpp"
#include "http/target.hpp"
#include "web/pages.hpp"
#include "web/review_pages.hpp"

namespace mv::daemon {

namespace {

using nlohmann::json;

// Hands the one answer of a command to a callback (the pages may need two in a row); a
// failure becomes the error page unless the page handles it itself.
class Collector final : public ipc::Responder {
public:
    using Done = std::function<void(json result)>;
    using Failed = std::function<void(ErrorCode code, std::string message)>;
    Collector(std::shared_ptr<http::Reply> reply, Done done, Failed failed)
        : m_reply(std::move(reply)), m_done(std::move(done)), m_failed(std::move(failed)) {}
    void progress(json) override {}
    void succeed(json result, UniqueFd) override { m_done(std::move(result)); }
    void fail(ErrorCode code, std::string message) override {
        if (m_failed) {
            m_failed(code, std::move(message));
        } else {
            m_reply->send(page_error(http::ApiError(code, std::move(message))));
        }
    }
    bool connected() const override { return true; }

private:
    std::shared_ptr<http::Reply> m_reply;
    Done m_done;
    Failed m_failed;
};

http::Response html(std::string body) {
    // Pages hold no script and load nothing from elsewhere; the policy says so to the
    // browser, so that a model id or a note shown on a page can never run as code.
    return {200,
            "text/html; charset=utf-8",
            std::move(body),
            {{"Content-Security-Policy",
              "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
              "frame-ancestors 'none'"}}};
}

} // namespace

void HttpApi::log_in(const std::string& token, const std::string& path,
                     const std::shared_ptr<http::Reply>& reply) {
    if (!m_tokens.find(token)) {
        spdlog::warn("HTTP: a browser log-in with an unknown token");
        reply->send(page_error(http::ApiError(401, "unauthorized",
                                              "the token is not in the daemon's "
                                              "http.tokens_file; ask its administrator for "
                                              "the dashboard's address with a token")));
        return;
    }
    // On without the token, so that it leaves the address bar and the history.
    reply->send({303,
                 "text/html; charset=utf-8",
                 "",
                 {{"Location", path},
                  {"Set-Cookie", http::session_set_cookie(m_sessions.open(token),
                                                          m_config.tls() ? http::Secure::yes
                                                                         : http::Secure::no)}}});
}

void HttpApi::serve_page(const http::Route& route, const Caller& caller,
                         const std::shared_ptr<http::Reply>& reply) {
    // Each page runs its commands with the caller's level; what only shows (the audit
    // log, a prune's dry run) with the level of the token behind a session (page_access).
    const auto run = [this, reply](AccessLevel level, std::string holder, std::string command,
                                   json args, Collector::Done done, Collector::Failed failed = {}) {
        m_daemon.dispatch_granted(
            level, holder, ipc::Request{nullptr, std::move(command), std::move(args), {}},
            std::make_shared<Collector>(reply, std::move(done), std::move(failed)));
    };
    const auto as_caller = [run, caller](std::string command, json args, Collector::Done done) {
        run(caller.access, caller.holder, std::move(command), std::move(args), std::move(done));
    };
    switch (route.kind) {
    case http::Route::Kind::model_page:
        return serve_model_page(route, caller, reply);
    case http::Route::Kind::diff_page:
        as_caller("diff", {{"a", route.args["a"]}, {"b", route.args["b"]}},
                  [reply](json diff) { reply->send(html(web::diff_page(diff))); });
        return;
    case http::Route::Kind::audit_page:
        if (caller.page_access != AccessLevel::write) {
            reply->send(page_error(http::ApiError(
                403, "forbidden",
                fmt::format("the audit log is shown to holders of a write token; {} is a read "
                            "token: open /audit?token=TOKEN with a write token of the daemon's "
                            "http.tokens_file (docs/HTTP.md, \"Dashboard\")",
                            caller.page_holder))));
            return;
        }
        run(caller.page_access, caller.page_holder, "audit", route.args,
            [reply, filters = route.args](json audit) {
                reply->send(html(web::audit_page(audit, filters)));
            });
        return;
    default:
        break;
    }
    as_caller("status", json::object(), [as_caller, reply](json status) {
        as_caller("list", json::object(), [reply, status = std::move(status)](json list) {
            reply->send(html(web::overview_page(status, list, [](const std::string& model) {
                return "/models/" + http::percent_encode(model);
            })));
        });
    });
}

void HttpApi::serve_model_page(const http::Route& route, const Caller& caller,
                               const std::shared_ptr<http::Reply>& reply) {
    const std::string model = route.args["model"];
    const std::string metric = route.args.value("metric", "");
    const auto collect = [reply](Collector::Done done, Collector::Failed failed = {}) {
        return std::make_shared<Collector>(reply, std::move(done), std::move(failed));
    };
    const auto request = [](std::string command, json args) {
        return ipc::Request{nullptr, std::move(command), std::move(args), {}};
    };
    m_daemon.dispatch_granted(
        caller.access, caller.holder, request("list", {{"model", model}}),
        collect([this, caller, reply, model, metric, collect, request](json list) {
            if (caller.page_access != AccessLevel::write) {
                reply->send(html(web::model_page(model, list, metric)));
                return;
            }
            // The next prune's plan: a dry run, which a write token may start from a
            // session too, since it changes nothing (docs/HTTP.md, "Dashboard").
            const auto page = [reply, model, metric, list](const json& prune) {
                reply->send(html(web::model_page(model, list, metric, prune)));
            };
            m_daemon.dispatch_granted(
                caller.page_access, caller.page_holder,
                request("prune", {{"model", model}, {"dry_run", true}}),
                collect(page, [page, model](ErrorCode, std::string message) {
                    page({{"models", json::array({json{{"model", model},
                                                       {"errors", json::array({message})}}})}});
                }));
        }));
}

} // namespace mv::daemon
