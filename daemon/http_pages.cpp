// The dashboard's side of HttpApi (docs/HTTP.md, "Dashboard"): the browser's log-in and
// the pages, rendered by web/ from the results of `status` and `list` run through the
// same dispatcher as every API request.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/daemon.hpp"
#include "daemon/http_api.hpp"
#include "http/target.hpp"
#include "web/pages.hpp"

namespace mv::daemon {

namespace {

using nlohmann::json;

// Hands the one answer of a command to a callback (the pages need two in a row).
class Collector final : public ipc::Responder {
public:
    using Done = std::function<void(json result)>;
    Collector(std::shared_ptr<http::Reply> reply, Done done)
        : m_reply(std::move(reply)), m_done(std::move(done)) {}
    void progress(json) override {}
    void succeed(json result, UniqueFd) override { m_done(std::move(result)); }
    void fail(ErrorCode code, std::string message) override {
        m_reply->send(page_error(http::ApiError(code, std::move(message))));
    }
    bool connected() const override { return true; }

private:
    std::shared_ptr<http::Reply> m_reply;
    Done m_done;
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
    const auto dispatch = [this, caller, reply](std::string command, json args,
                                                Collector::Done done) {
        m_daemon.dispatch_granted(caller.access, caller.holder,
                                  ipc::Request{nullptr, std::move(command), std::move(args), {}},
                                  std::make_shared<Collector>(reply, std::move(done)));
    };
    if (route.kind == http::Route::Kind::model_page) {
        const std::string model = route.args["model"];
        const std::string metric = route.args.value("metric", "");
        dispatch("list", {{"model", model}}, [reply, model, metric](json list) {
            reply->send(html(web::model_page(model, list, metric)));
        });
        return;
    }
    dispatch("status", json::object(), [dispatch, reply](json status) {
        dispatch("list", json::object(), [reply, status = std::move(status)](json list) {
            reply->send(html(web::overview_page(status, list, [](const std::string& model) {
                return "/models/" + http::percent_encode(model);
            })));
        });
    });
}

} // namespace mv::daemon
