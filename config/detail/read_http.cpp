#include "config/detail/read_http.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <netinet/in.h>
#include <optional>
#include <string>

namespace mv::config::detail {

namespace {

struct Listen {
    std::string host;
    std::uint16_t port = 0;
};

// "127.0.0.1:8470" or "[::1]:8470": an address literal (no name lookup, so the daemon
// listens where the config says) and a port; 0 is any free port, which the daemon logs.
std::optional<Listen> parse_listen(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
        return std::nullopt;
    }
    Listen listen;
    listen.host = text.substr(0, colon);
    const std::string port = text.substr(colon + 1);
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value > 65535) {
        return std::nullopt;
    }
    listen.port = static_cast<std::uint16_t>(value);
    if (listen.host.size() > 2 && listen.host.front() == '[' && listen.host.back() == ']') {
        listen.host = listen.host.substr(1, listen.host.size() - 2);
        in6_addr address{};
        return ::inet_pton(AF_INET6, listen.host.c_str(), &address) == 1
                   ? std::optional<Listen>(listen)
                   : std::nullopt;
    }
    in_addr address{};
    return ::inet_pton(AF_INET, listen.host.c_str(), &address) == 1 ? std::optional<Listen>(listen)
                                                                    : std::nullopt;
}

bool is_loopback(const std::string& host) {
    in_addr v4{};
    if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
        return (ntohl(v4.s_addr) >> 24) == 127; // 127.0.0.0/8
    }
    in6_addr v6{};
    return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

void read_listen(const Json& value, const KeyPath& path, Checker& checker, Http& http) {
    const auto text = to_text(value, path, checker);
    if (!text) {
        return;
    }
    const auto listen = parse_listen(*text);
    if (!listen) {
        checker.report(path, fmt::format("expected ADDRESS:PORT with an IP address and a port "
                                         "from 0 to 65535, such as \"127.0.0.1:8470\" or "
                                         "\"[::1]:8470\", got {}",
                                         describe(value)));
        return;
    }
    if (!is_loopback(listen->host)) {
        checker.report(path, fmt::format("{} is not a loopback address: serving the network "
                                         "needs TLS, which modelvault {} does not have yet "
                                         "(bearer tokens would cross it in clear text); listen "
                                         "on \"127.0.0.1:{}\" and put a TLS reverse proxy in "
                                         "front (docs/HTTP.md, \"Over the network\")",
                                         quote(listen->host), MV_VERSION, listen->port));
        return;
    }
    http.host = listen->host;
    http.port = listen->port;
}

void report_no_tls(const KeyPath& path, Checker& checker) {
    checker.report(path, fmt::format("not available yet in modelvault {}: the HTTP server has "
                                     "no TLS and serves loopback only; remove the key and put "
                                     "a TLS reverse proxy in front (docs/HTTP.md, \"Over the "
                                     "network\")",
                                     MV_VERSION));
}

} // namespace

void read_http(const Json& value, const KeyPath& path, Checker& checker,
               const std::filesystem::path& base_dir, Http& http) {
    bool has_listen = false;
    bool has_tokens = false;
    const bool is_object = visit_members(
        value, path, checker,
        {
            {"listen",
             [&](const Json& v, const KeyPath& p) {
                 has_listen = true;
                 read_listen(v, p, checker, http);
             }},
            {"tokens_file",
             [&](const Json& v, const KeyPath& p) {
                 has_tokens = true;
                 http.tokens_file = to_path(v, p, checker, base_dir).value_or(http.tokens_file);
             }},
            {"tls_cert", [&](const Json&, const KeyPath& p) { report_no_tls(p, checker); }},
            {"tls_key", [&](const Json&, const KeyPath& p) { report_no_tls(p, checker); }},
        });
    if (is_object && !has_listen) {
        checker.report_missing(path / "listen", "required: the address to serve, such as "
                                                "\"127.0.0.1:8470\"");
    }
    if (is_object && !has_tokens) {
        checker.report_missing(path / "tokens_file",
                               "required: every HTTP client shows a token, as every socket "
                               "client is checked against `access` (a file of `read TOKEN` "
                               "and `write TOKEN` lines, mode 0600; docs/HTTP.md)");
    }
}

} // namespace mv::config::detail
