#pragma once
// A request target split into its decoded path segments and query parameters (RFC 3986).
// Model ids hold slashes, so an id is one segment with its "/" sent as %2F: segments are
// split before they are decoded.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mv::http {

struct Target {
    std::vector<std::string>
        segments; ///< "/api/v1/models/lab%2Fa.pkl" → api, v1, models, lab/a.pkl
    std::vector<std::pair<std::string, std::string>> query; ///< in order, repeats kept
};

/// Parses an origin-form target ("/path?query"). Throws ApiError 400 when it does not
/// start with "/", has a malformed %-escape, or decodes to a NUL byte. "+" in the query
/// is a space (HTML forms); in the path it stays "+".
Target parse_target(std::string_view target);

/// The %-encoded form of `text` for one path segment or query value (unreserved
/// characters stay).
std::string percent_encode(std::string_view text);

} // namespace mv::http
