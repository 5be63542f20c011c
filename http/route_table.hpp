#pragma once
// The route table behind http/router (docs/HTTP.md, "API" and "Dashboard"): every path,
// its method, the command it runs and the query parameters and body keys it takes. One
// table, read by route() and by openapi_document(), so the two cannot disagree.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/router.hpp"

namespace mv::http::routes {

enum class ParamType { text, integer, boolean, list };

enum class Required { no, yes };

struct Param {
    std::string_view name;
    ParamType type = ParamType::text;
    Required required = Required::no; ///< yes: the path means nothing without it
};

/// What the path captured ({model}, {selector}, {tag}) and the parsed body.
struct Parts {
    std::map<std::string, std::string> path;
    nlohmann::json body = nlohmann::json::object();
};

/// One route: a method and path pattern, what it runs, and what it takes.
struct Entry {
    std::string_view method;
    std::vector<std::string_view> pattern; ///< literal segments, or "{name}" captures
    Route::Kind kind = Route::Kind::command;
    std::string_view command;
    std::vector<Param> params;               ///< the query parameters it takes
    std::vector<std::string_view> body_keys; ///< empty: no body; else the keys allowed
    std::function<void(const Parts&, nlohmann::json& args)> fill = {};
};

/// Every route, in the order route() tries them.
const std::vector<Entry>& table();

} // namespace mv::http::routes
