#pragma once
// The webhook signature (docs/NOTIFICATIONS.md, "Verifying a delivery"): HMAC-SHA256 of
// the exact body with the shared secret, as GitHub's X-Hub-Signature-256.

#include <string>
#include <string_view>

namespace mv::notify {

/// The header carrying the signature.
inline constexpr std::string_view k_signature_header = "X-Modelvault-Signature-256";

/// "sha256=" and the lowercase hex HMAC-SHA256 of `body` under `secret` (OpenSSL).
std::string sign_body(std::string_view secret, std::string_view body);

} // namespace mv::notify
