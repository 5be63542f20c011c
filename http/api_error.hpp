#pragma once
// How the HTTP API says no (docs/HTTP.md, "Errors"): a status code and the body
// {"error": {"code", "message"}}, with the control protocol's codes where a command
// answered, and the HTTP layer's own (unauthorized, method_not_allowed, too_large).

#include <stdexcept>
#include <string>

#include "util/error.hpp"

namespace mv::http {

class ApiError : public std::runtime_error {
public:
    ApiError(unsigned status, std::string code, std::string message)
        : std::runtime_error(std::move(message)), m_status(status), m_code(std::move(code)) {}
    /// A control command's error, with its HTTP status (status_for).
    ApiError(ErrorCode code, std::string message);

    unsigned status() const noexcept { return m_status; }
    const std::string& code() const noexcept { return m_code; }
    /// {"error":{"code":…,"message":…}} as text.
    std::string body() const;

private:
    unsigned m_status;
    std::string m_code;
};

/// The HTTP status of a control protocol error: invalid_argument 400, forbidden 403,
/// not_found 404, conflict 409, unavailable 503, the rest 500.
unsigned status_for(ErrorCode code);

} // namespace mv::http
