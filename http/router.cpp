#include "http/router.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "http/api_error.hpp"
#include "http/route_table.hpp"
#include "ipc/protocol.hpp"

namespace mv::http {

using nlohmann::json;

namespace {

using routes::Entry;
using routes::Param;
using routes::ParamType;
using routes::Parts;
using routes::Required;
using routes::table;

bool matches(const Entry& entry, const std::vector<std::string>& segments,
             std::map<std::string, std::string>& captured) {
    if (entry.pattern.size() != segments.size()) {
        return false;
    }
    std::map<std::string, std::string> found;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::string_view part = entry.pattern[i];
        if (part.starts_with('{')) {
            found.emplace(std::string(part.substr(1, part.size() - 2)), segments[i]);
        } else if (part != segments[i]) {
            return false;
        }
    }
    captured = std::move(found);
    return true;
}

json parse_boolean(const std::string& name, const std::string& text) {
    if (text != "true" && text != "false") {
        throw ApiError(
            400, "invalid_argument",
            fmt::format("query parameter {} must be true or false, got \"{}\"", name, text));
    }
    return text == "true";
}

json parse_integer(const std::string& name, const std::string& text) {
    long long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        throw ApiError(
            400, "invalid_argument",
            fmt::format("query parameter {} must be an integer, got \"{}\"", name, text));
    }
    // As the JSON parser reads the socket's requests: a non-negative number is unsigned
    // (the commands check for that).
    return value >= 0 ? json(static_cast<std::uint64_t>(value)) : json(value);
}

// The dashboard's pages (HTML), as opposed to the JSON API.
bool is_page(Route::Kind kind) {
    return kind == Route::Kind::overview || kind == Route::Kind::model_page ||
           kind == Route::Kind::diff_page || kind == Route::Kind::audit_page;
}

// "a and b": the required query parameters of `entry`, for the message that misses one.
std::string required_names(const Entry& entry) {
    std::vector<std::string_view> names;
    for (const Param& param : entry.params) {
        if (param.required == Required::yes) {
            names.push_back(param.name);
        }
    }
    return fmt::format("{}", fmt::join(names, " and "));
}

void read_query(const Entry& entry, const Target& target, json& args) {
    for (const auto& [name, value] : target.query) {
        const Param* param = nullptr;
        for (const Param& candidate : entry.params) {
            param = candidate.name == name ? &candidate : param;
        }
        if (param == nullptr) {
            std::vector<std::string_view> names;
            for (const Param& candidate : entry.params) {
                names.push_back(candidate.name);
            }
            throw ApiError(
                400, "invalid_argument",
                names.empty()
                    ? fmt::format("unknown query parameter \"{}\": this path takes none", name)
                    : fmt::format("unknown query parameter \"{}\": this path takes {}", name,
                                  fmt::join(names, ", ")));
        }
        if (value.empty() && param->required == Required::no && is_page(entry.kind)) {
            continue; // a page's form sends the fields left empty: no filter
        }
        if (param->type == ParamType::list) {
            args[name].push_back(value);
        } else if (args.contains(name)) {
            throw ApiError(400, "invalid_argument",
                           fmt::format("query parameter {} is given twice; give it once", name));
        } else {
            args[name] = param->type == ParamType::integer   ? parse_integer(name, value)
                         : param->type == ParamType::boolean ? parse_boolean(name, value)
                                                             : json(value);
        }
    }
    for (const Param& param : entry.params) {
        const auto given = args.find(param.name);
        if (param.required == Required::yes &&
            (given == args.end() || (given->is_string() && given->get<std::string>().empty()))) {
            throw ApiError(400, "invalid_argument",
                           fmt::format("query parameter {} is missing; this path needs {}",
                                       param.name, required_names(entry)));
        }
    }
}

json read_body(const Entry& entry, std::string_view body) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return json::object();
    }
    if (entry.body_keys.empty()) {
        throw ApiError(400, "invalid_argument",
                       fmt::format("{} takes no request body; send it without one", entry.method));
    }
    auto parsed = ipc::parse_untrusted_object(body, "the request body");
    if (!parsed) {
        throw ApiError(400, "invalid_argument", parsed.error());
    }
    for (const auto& [key, value] : parsed->items()) {
        bool known = false;
        for (const std::string_view allowed : entry.body_keys) {
            known = known || allowed == key;
        }
        if (!known) {
            throw ApiError(400, "invalid_argument",
                           fmt::format("unknown key \"{}\" in the request body: this path takes {}",
                                       key, fmt::join(entry.body_keys, ", ")));
        }
    }
    return std::move(*parsed);
}

json openapi_operation(const Entry& entry) {
    json parameters = json::array();
    for (const std::string_view part : entry.pattern) {
        if (part.starts_with('{')) {
            parameters.push_back({{"name", part.substr(1, part.size() - 2)},
                                  {"in", "path"},
                                  {"required", true},
                                  {"schema", {{"type", "string"}}}});
        }
    }
    for (const Param& param : entry.params) {
        const json schema = param.type == ParamType::integer   ? json{{"type", "integer"}}
                            : param.type == ParamType::boolean ? json{{"type", "boolean"}}
                            : param.type == ParamType::list
                                ? json{{"type", "array"}, {"items", {{"type", "string"}}}}
                                : json{{"type", "string"}};
        parameters.push_back({{"name", param.name},
                              {"in", "query"},
                              {"required", param.required == Required::yes},
                              {"schema", schema}});
    }
    json operation = {
        {"summary", entry.command.empty()
                        ? "the Prometheus metrics, or this document"
                        : "runs the control command " + std::string(entry.command)},
        {"parameters", parameters},
        {"responses",
         {{"200", {{"description", "the command's result (docs/PROTOCOL.md)"}}},
          {"default", {{"description", "{\"error\": {\"code\", \"message\"}} (docs/HTTP.md)"}}}}}};
    if (is_page(entry.kind)) {
        operation["summary"] = "a dashboard page rendered from the control command " +
                               std::string(entry.command) + " (docs/HTTP.md, \"Dashboard\")";
        operation["responses"]["200"] = {{"description", "the page"},
                                         {"content", {{"text/html", json::object()}}}};
    }
    if (entry.kind == Route::Kind::export_archive) {
        operation["summary"] = "the version as the plain tar.zst modelvaultctl export writes";
        operation["responses"]["200"] = {
            {"description", "the archive, checked before it is sent (docs/HTTP.md, \"Export\")"},
            {"content",
             {{"application/zstd", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}};
    }
    if (!entry.body_keys.empty()) {
        json properties = json::object();
        for (const std::string_view key : entry.body_keys) {
            properties[std::string(key)] = json::object();
        }
        const json schema = {
            {"type", "object"}, {"properties", properties}, {"additionalProperties", false}};
        operation["requestBody"]["content"]["application/json"]["schema"] = schema;
    }
    return operation;
}

} // namespace

json openapi_document() {
    json paths = json::object();
    for (const Entry& entry : table()) {
        std::string path;
        for (const std::string_view part : entry.pattern) {
            // Appended in place: GCC 12's -Wrestrict misreads "/" + std::string (as in
            // watcher/series).
            path += '/';
            path += part;
        }
        std::string method(entry.method);
        std::transform(method.begin(), method.end(), method.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        paths[path.empty() ? "/" : path][method] = openapi_operation(entry);
    }
    return {{"openapi", "3.0.3"},
            {"info", {{"title", "modelvault HTTP API"}, {"version", MV_VERSION}}},
            {"components",
             {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
            {"security", json::array({{{"bearer", json::array()}}})},
            {"paths", paths}};
}

Route route(std::string_view method, const Target& target, std::string_view body) {
    std::vector<std::string_view> allowed;
    for (const Entry& entry : table()) {
        Parts parts;
        if (!matches(entry, target.segments, parts.path)) {
            continue;
        }
        if (entry.method != method) {
            allowed.push_back(entry.method);
            continue;
        }
        Route route;
        route.kind = entry.kind;
        route.command = std::string(entry.command);
        route.mutating = method != "GET";
        read_query(entry, target, route.args);
        parts.body = read_body(entry, body);
        for (const auto& [key, value] : parts.body.items()) {
            route.args[key] = value;
        }
        if (entry.fill) {
            entry.fill(parts, route.args);
        }
        return route;
    }
    if (!allowed.empty()) {
        throw ApiError(
            405, "method_not_allowed",
            fmt::format("{} is not allowed here; use {}", method, fmt::join(allowed, " or ")));
    }
    throw ApiError(404, "not_found",
                   "no such path: the API is under /api/v1/ (docs/HTTP.md lists every path; a "
                   "model id is one path segment, its \"/\" written %2F)");
}

} // namespace mv::http
