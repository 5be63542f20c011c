#include "http/router.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <map>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "http/api_error.hpp"
#include "ipc/protocol.hpp"

namespace mv::http {

using nlohmann::json;

namespace {

enum class ParamType { text, integer, boolean, list };

struct Param {
    std::string_view name;
    ParamType type = ParamType::text;
};

/// What the path captured ({model}, {selector}, {tag}) and the parsed body.
struct Parts {
    std::map<std::string, std::string> path;
    json body = json::object();
};

struct Entry {
    std::string_view method;
    std::vector<std::string_view> pattern; ///< literal segments, or "{name}" captures
    Route::Kind kind = Route::Kind::command;
    std::string_view command;
    std::vector<Param> params;               ///< the query parameters it takes
    std::vector<std::string_view> body_keys; ///< empty: no body; else the keys allowed
    std::function<void(const Parts&, json& args)> fill = {};
};

// The filters and sort of `list` (docs/PROTOCOL.md, "list").
const std::vector<Param> k_list_params = {{"tag"},
                                          {"since"},
                                          {"until"},
                                          {"where", ParamType::list},
                                          {"sort"},
                                          {"offset", ParamType::integer},
                                          {"limit", ParamType::integer}};

std::vector<Param> with_model(std::vector<Param> params) {
    params.insert(params.begin(), Param{"model"});
    return params;
}

void model_and_selector(const Parts& parts, json& args) {
    args["model"] = parts.path.at("model");
    args["selector"] = parts.path.at("selector");
}

const std::vector<Entry>& table() {
    static const std::vector<Entry> entries = {
        {"GET", {"metrics"}, Route::Kind::metrics, "", {}, {}},
        {"GET", {}, Route::Kind::overview, "status", {{"token"}}, {}},
        {"GET",
         {"models", "{model}"},
         Route::Kind::model_page,
         "list",
         {{"metric"}},
         {},
         [](const Parts& parts, json& args) { args["model"] = parts.path.at("model"); }},
        {"GET", {"api", "v1", "version"}, Route::Kind::command, "version", {}, {}},
        {"GET", {"api", "v1", "openapi.json"}, Route::Kind::openapi, "", {}, {}},
        {"GET", {"api", "v1", "status"}, Route::Kind::command, "status", {}, {}},
        {"GET", {"api", "v1", "models"}, Route::Kind::models, "list", {}, {}},
        {"GET",
         {"api", "v1", "versions"},
         Route::Kind::command,
         "list",
         with_model(k_list_params),
         {}},
        {"GET",
         {"api", "v1", "models", "{model}", "versions"},
         Route::Kind::command,
         "list",
         k_list_params,
         {},
         [](const Parts& parts, json& args) { args["model"] = parts.path.at("model"); }},
        {"GET",
         {"api", "v1", "models", "{model}", "versions", "{selector}"},
         Route::Kind::command,
         "show",
         {},
         {},
         model_and_selector},
        {"GET",
         {"api", "v1", "models", "{model}", "versions", "{selector}", "export"},
         Route::Kind::export_archive,
         "restore",
         {{"decrypt", ParamType::boolean}},
         {},
         model_and_selector},
        {"GET",
         {"api", "v1", "models", "{model}", "history"},
         Route::Kind::command,
         "history",
         {},
         {},
         [](const Parts& parts, json& args) { args["model"] = parts.path.at("model"); }},
        {"GET", {"api", "v1", "diff"}, Route::Kind::command, "diff", {{"a"}, {"b"}}, {}},
        {"GET",
         {"api", "v1", "audit"},
         Route::Kind::command,
         "audit",
         {{"since"}, {"user"}, {"limit", ParamType::integer}},
         {}},
        {"POST",
         {"api", "v1", "backup"},
         Route::Kind::command,
         "backup",
         {},
         {"models", "all", "bump", "tags", "note"}},
        {"POST",
         {"api", "v1", "models", "{model}", "backup"},
         Route::Kind::command,
         "backup",
         {},
         {"bump", "tags", "note"},
         [](const Parts& parts, json& args) {
             args["models"] = json::array({parts.path.at("model")});
         }},
        {"POST",
         {"api", "v1", "models", "{model}", "versions", "{selector}", "tags"},
         Route::Kind::command,
         "tag",
         {},
         {"tag"},
         [](const Parts& parts, json& args) {
             model_and_selector(parts, args);
             args["action"] = "add";
         }},
        {"DELETE",
         {"api", "v1", "models", "{model}", "versions", "{selector}", "tags", "{tag}"},
         Route::Kind::command,
         "tag",
         {},
         {},
         [](const Parts& parts, json& args) {
             model_and_selector(parts, args);
             args["action"] = "rm";
             args["tag"] = parts.path.at("tag");
         }},
        {"POST", {"api", "v1", "prune"}, Route::Kind::command, "prune", {}, {"model", "dry_run"}},
        {"GET",
         {"api", "v1", "stats"},
         Route::Kind::command,
         "stats",
         {{"scope"}, {"by"}, {"over"}},
         {}},
        {"GET",
         {"api", "v1", "compare"},
         Route::Kind::command,
         "compare",
         {{"targets", ParamType::list}},
         {}},
        {"POST",
         {"api", "v1", "models", "{model}", "versions", "{selector}", "notes"},
         Route::Kind::command,
         "note",
         {},
         {"text", "tags"},
         model_and_selector},
        {"DELETE",
         {"api", "v1", "models", "{model}", "versions", "{selector}"},
         Route::Kind::command,
         "delete",
         {{"force", ParamType::boolean}},
         {},
         model_and_selector},
    };
    return entries;
}

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
        parameters.push_back({{"name", param.name}, {"in", "query"}, {"schema", schema}});
    }
    json operation = {
        {"summary", entry.command.empty()
                        ? "the Prometheus metrics, or this document"
                        : "runs the control command " + std::string(entry.command)},
        {"parameters", parameters},
        {"responses",
         {{"200", {{"description", "the command's result (docs/PROTOCOL.md)"}}},
          {"default", {{"description", "{\"error\": {\"code\", \"message\"}} (docs/HTTP.md)"}}}}}};
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
