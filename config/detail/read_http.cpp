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

// The address, whose loopback check waits for the other keys (tls_cert, tls_key).
std::optional<Listen> read_listen(const Json& value, const KeyPath& path, Checker& checker) {
    const auto text = to_text(value, path, checker);
    if (!text) {
        return std::nullopt;
    }
    const auto listen = parse_listen(*text);
    if (!listen) {
        checker.report(path, fmt::format("expected ADDRESS:PORT with an IP address and a port "
                                         "from 0 to 65535, such as \"127.0.0.1:8470\" or "
                                         "\"[::1]:8470\", got {}",
                                         describe(value)));
    }
    return listen;
}

void check_network(const Listen& listen, const KeyPath& path, Checker& checker, Http& http) {
    if (!is_loopback(listen.host) && !http.tls()) {
        // Bearer tokens and session cookies would cross the network in clear text.
        checker.report(path, fmt::format("{} is not a loopback address: serving the network "
                                         "needs TLS, or the tokens would cross it in clear "
                                         "text; add \"tls_cert\" and \"tls_key\" (docs/HTTP.md, "
                                         "\"TLS\"), or listen on \"127.0.0.1:{}\" behind a TLS "
                                         "reverse proxy",
                                         quote(listen.host), listen.port));
        return;
    }
    http.host = listen.host;
    http.port = listen.port;
}

// tls_cert and tls_key come together: a certificate without its key cannot serve, and a
// key alone would leave the server in clear text while the admin believes otherwise.
void check_tls_pair(bool has_cert, bool has_key, const KeyPath& path, Checker& checker,
                    Http& http) {
    if (has_cert == has_key) {
        return;
    }
    if (has_cert) {
        checker.report(path / "tls_cert", "set without \"tls_key\": add \"tls_key\", the file "
                                          "of the certificate's PEM private key, or remove "
                                          "\"tls_cert\" to serve plain HTTP on loopback");
    } else {
        checker.report(path / "tls_key", "set without \"tls_cert\": add \"tls_cert\", the file "
                                         "of the PEM certificate chain, or remove \"tls_key\" "
                                         "to serve plain HTTP on loopback");
    }
    http.tls_cert.clear();
    http.tls_key.clear();
}

} // namespace

void read_http(const Json& value, const KeyPath& path, Checker& checker,
               const std::filesystem::path& base_dir, Http& http) {
    std::optional<Json> listen_value;
    bool has_tokens = false;
    bool has_cert = false;
    bool has_key = false;
    const bool is_object = visit_members(
        value, path, checker,
        {
            {"listen", [&](const Json& v, const KeyPath&) { listen_value = v; }},
            {"tokens_file",
             [&](const Json& v, const KeyPath& p) {
                 has_tokens = true;
                 http.tokens_file = to_path(v, p, checker, base_dir).value_or(http.tokens_file);
             }},
            {"tls_cert",
             [&](const Json& v, const KeyPath& p) {
                 has_cert = true;
                 http.tls_cert = to_path(v, p, checker, base_dir).value_or(http.tls_cert);
             }},
            {"tls_key",
             [&](const Json& v, const KeyPath& p) {
                 has_key = true;
                 http.tls_key = to_path(v, p, checker, base_dir).value_or(http.tls_key);
             }},
        });
    if (!is_object) {
        return;
    }
    check_tls_pair(has_cert, has_key, path, checker, http);
    if (!listen_value) {
        checker.report_missing(path / "listen", "required: the address to serve, such as "
                                                "\"127.0.0.1:8470\"");
    } else if (const auto listen = read_listen(*listen_value, path / "listen", checker)) {
        check_network(*listen, path / "listen", checker, http);
    }
    if (!has_tokens) {
        checker.report_missing(path / "tokens_file",
                               "required: every HTTP client shows a token, as every socket "
                               "client is checked against `access` (a file of `read TOKEN` "
                               "and `write TOKEN` lines, mode 0600; docs/HTTP.md)");
    }
}

} // namespace mv::config::detail
