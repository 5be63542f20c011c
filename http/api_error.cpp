#include "http/api_error.hpp"

#include <nlohmann/json.hpp>

namespace mv::http {

ApiError::ApiError(ErrorCode code, std::string message)
    : ApiError(status_for(code), std::string(to_string(code)), std::move(message)) {}

std::string ApiError::body() const {
    const nlohmann::json body = {{"error", {{"code", m_code}, {"message", what()}}}};
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

unsigned status_for(ErrorCode code) {
    switch (code) {
    case ErrorCode::invalid_argument:
        return 400;
    case ErrorCode::forbidden:
        return 403;
    case ErrorCode::not_found:
        return 404;
    case ErrorCode::conflict:
        return 409;
    case ErrorCode::unavailable:
        return 503;
    case ErrorCode::invalid_config:
    case ErrorCode::io:
    case ErrorCode::corrupt:
    case ErrorCode::cancelled:
    case ErrorCode::internal:
        break;
    }
    return 500;
}

} // namespace mv::http
