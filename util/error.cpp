#include "util/error.hpp"

#include <cerrno>
#include <cstring>

namespace mv {

std::string_view to_string(ErrorCode code) {
    switch (code) {
    case ErrorCode::invalid_argument:
        return "invalid_argument";
    case ErrorCode::invalid_config:
        return "invalid_config";
    case ErrorCode::not_found:
        return "not_found";
    case ErrorCode::conflict:
        return "conflict";
    case ErrorCode::forbidden:
        return "forbidden";
    case ErrorCode::io:
        return "io";
    case ErrorCode::corrupt:
        return "corrupt";
    case ErrorCode::unavailable:
        return "unavailable";
    case ErrorCode::cancelled:
        return "cancelled";
    case ErrorCode::internal:
        return "internal";
    }
    return "internal";
}

std::string errno_message(std::string_view what, int errno_value) {
    std::string message(what);
    message += ": ";
    message += std::strerror(errno_value);
    if (errno_value == ENOSPC || errno_value == EDQUOT) {
        message += " (free some space or move the vault to a larger disk)";
    }
    return message;
}

ErrorCode code_for_errno(int errno_value) {
    switch (errno_value) {
    case ENOENT:
    case ENOTDIR:
        return ErrorCode::not_found;
    case EACCES:
    case EPERM:
        return ErrorCode::forbidden;
    case EEXIST:
    case ENOTEMPTY:
        return ErrorCode::conflict;
    default:
        return ErrorCode::io;
    }
}

} // namespace mv
