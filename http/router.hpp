#pragma once
// The HTTP API's routes (docs/HTTP.md, "API"): which control command a method and path
// run, with which args. Pure — no sockets, no daemon — so every route and every refusal
// is unit-tested. The daemon runs the command through the same dispatcher as the socket.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/target.hpp"

namespace mv::http {

struct Route {
    enum class Kind {
        command,        ///< run `command` with `args` and answer its result
        models,         ///< run `list` with `args` and answer the models it names (models.hpp)
        metrics,        ///< the Prometheus text (GET /metrics)
        overview,       ///< the dashboard's overview (`status` and `list`); args may hold `token`
        model_page,     ///< a model's page (`list` of `args.model`); args may hold `metric`
        openapi,        ///< the OpenAPI document of these routes (openapi_document)
        export_archive, ///< a version's plain tar.zst (`restore` of `args`); may hold `decrypt`
        diff_page,      ///< the dashboard's diff of two versions (`diff` of `args.a`, `args.b`)
        audit_page,     ///< the dashboard's audit log (`audit` of `args`: since, user, limit)
    };
    Kind kind = Kind::command;
    std::string command;
    nlohmann::json args = nlohmann::json::object();
    /// True for methods that change something: they need the Authorization header
    /// (a cookie alone never authorises them).
    bool mutating = false;
};

/// The route of `method` on `target` with `body` (JSON, for POST; may be empty). Throws
/// ApiError: 404 for an unknown path, 405 for a known path and another method, 400 for
/// an unknown or repeated query parameter, a required one missing or empty, a parameter
/// that is not of its type, or a body that is not a JSON object or names what the path
/// already says.
Route route(std::string_view method, const Target& target, std::string_view body);

/// The OpenAPI 3.0 document of the API (served at /api/v1/openapi.json), made from the
/// same route table as route(), so it lists exactly the paths, methods, query parameters
/// and body keys that route() accepts.
nlohmann::json openapi_document();

} // namespace mv::http
