#pragma once
// Low-level I/O returns tl::expected<T, std::string>; upper layers throw mv::Error.
// value_or_throw bridges the two and adds context (after ccache's util/expected.hpp).

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

#include "util/error.hpp"

namespace mv {

/// Result of a low-level operation: a value or a complete human-readable message.
template <typename T>
using Result = tl::expected<T, std::string>;

/// Shorthand for the failure side of a Result.
inline tl::unexpected<std::string> failure(std::string message) {
    return tl::unexpected<std::string>(std::move(message));
}

/// The value of `result`, or throws Error(context + message, code).
template <typename T>
T value_or_throw(Result<T>&& result, std::string_view context = {},
                 ErrorCode code = ErrorCode::io) {
    if (!result) {
        throw Error(std::string(context) + result.error(), code);
    }
    if constexpr (!std::is_void_v<T>) {
        return std::move(*result);
    }
}

} // namespace mv
