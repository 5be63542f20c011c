#include "http/sessions.hpp"

#include <array>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "util/error.hpp"

namespace mv::http {

namespace {

constexpr std::size_t k_max_sessions = 256;

} // namespace

std::string Sessions::open(std::string token) {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw Error("cannot draw a random session id (OpenSSL RAND_bytes failed)");
    }
    std::string id;
    for (const unsigned char byte : bytes) {
        id += fmt::format("{:02x}", byte);
    }
    m_sessions.emplace_back(id, std::move(token));
    if (m_sessions.size() > k_max_sessions) {
        m_sessions.pop_front();
    }
    return id;
}

std::optional<std::string> Sessions::token_of(std::string_view id) const {
    std::optional<std::string> found;
    for (const auto& [known, token] : m_sessions) {
        if (known.size() == id.size() && CRYPTO_memcmp(known.data(), id.data(), id.size()) == 0) {
            found = token;
        }
    }
    return found;
}

std::optional<std::string_view> session_cookie(std::string_view header) {
    // "a=1; mv_session=abc; b=2" (RFC 6265, section 4.2.1)
    while (!header.empty()) {
        const auto end = header.find(';');
        std::string_view pair = header.substr(0, end);
        header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
        while (!pair.empty() && pair.front() == ' ') {
            pair.remove_prefix(1);
        }
        const auto equals = pair.find('=');
        if (equals != std::string_view::npos && pair.substr(0, equals) == k_session_cookie) {
            return pair.substr(equals + 1);
        }
    }
    return std::nullopt;
}

std::string session_set_cookie(std::string_view id, Secure secure) {
    return fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/{}", k_session_cookie, id,
                       secure == Secure::yes ? "; Secure" : "");
}

} // namespace mv::http
