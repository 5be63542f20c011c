#pragma once
// Browser sessions of the dashboard (docs/HTTP.md, "Dashboard"): opening `/?token=TOKEN`
// once trades the token for a random session id in a cookie, which then authorises
// reading pages and the API — never a request that changes something, which needs the
// Authorization header (a cookie is sent by the browser on its own, so a page of another
// site could make it do that). Sessions live in memory: a restart ends them.

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mv::http {

/// The cookie's name.
inline constexpr std::string_view k_session_cookie = "mv_session";

class Sessions {
public:
    /// A new session for `token` (which the caller has checked); returns its id, 64 hex
    /// digits from OpenSSL's random generator. Past 256 sessions the oldest is dropped.
    std::string open(std::string token);
    /// The token of session `id`, or nullopt. The caller checks the token again, so a
    /// token removed from the file ends its sessions at the next reload.
    std::optional<std::string> token_of(std::string_view id) const;

private:
    std::deque<std::pair<std::string, std::string>> m_sessions; ///< id, token; oldest first
};

/// The value of the mv_session cookie in a Cookie header, or nullopt.
std::optional<std::string_view> session_cookie(std::string_view cookie_header);

/// Whether the cookie may travel only over TLS (its `Secure` attribute).
enum class Secure { no, yes };

/// The Set-Cookie header value for session `id`: HttpOnly, SameSite=Strict, Path=/, and
/// Secure when the server speaks TLS (so the browser never sends it in clear text).
std::string session_set_cookie(std::string_view id, Secure secure);

} // namespace mv::http
