#pragma once
// The project's two exception types (after ccache's core/exceptions.hpp):
// `Error` is recoverable and carries a machine-readable code that the socket protocol
// forwards to clients; `Fatal` ends the program with its message.

#include <stdexcept>
#include <string>
#include <string_view>

namespace mv {

/// Why an operation failed, as the control protocol reports it (docs/PROTOCOL.md).
enum class ErrorCode {
    invalid_argument, ///< the caller asked for something malformed
    invalid_config,   ///< the daemon's config file has errors (a rejected reload)
    not_found,        ///< no such model, version, file or command
    conflict,         ///< the request clashes with existing state (e.g. target exists)
    forbidden,        ///< the peer lacks the rights for this command
    io,               ///< the operating system refused (disk full, permission, ...)
    corrupt,          ///< stored data failed a checksum or cannot be parsed
    unavailable,      ///< the daemon is stopping or the resource is busy
    cancelled,        ///< the work was abandoned (shutdown, file changed during read)
    internal,         ///< a bug: please report it
};

/// The protocol spelling of `code` ("not_found", ...).
std::string_view to_string(ErrorCode code);

/// A recoverable failure with a message a user can act on.
class Error : public std::runtime_error {
public:
    explicit Error(std::string message, ErrorCode code = ErrorCode::internal)
        : std::runtime_error(std::move(message)), m_code(code) {}
    ErrorCode code() const noexcept { return m_code; }

private:
    ErrorCode m_code;
};

/// A failure that ends the program: main() prints the message and exits with `exit_code`.
class Fatal : public std::runtime_error {
public:
    explicit Fatal(std::string message, int exit_code = 1)
        : std::runtime_error(std::move(message)), m_exit_code(exit_code) {}
    int exit_code() const noexcept { return m_exit_code; }

private:
    int m_exit_code;
};

/// "<what>: <strerror(errno_value)>", the building block of every OS error message.
std::string errno_message(std::string_view what, int errno_value);

/// The ErrorCode that best describes an errno value (ENOENT → not_found, ENOSPC → io, ...).
ErrorCode code_for_errno(int errno_value);

} // namespace mv
