#include "http/route_table.hpp"

namespace mv::http::routes {

using nlohmann::json;

namespace {

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

} // namespace

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
        {"GET",
         {"diff"},
         Route::Kind::diff_page,
         "diff",
         {{"a", ParamType::text, Required::yes}, {"b", ParamType::text, Required::yes}},
         {}},
        {"GET",
         {"audit"},
         Route::Kind::audit_page,
         "audit",
         {{"since"}, {"user"}, {"limit", ParamType::integer}},
         {}},
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

} // namespace mv::http::routes
