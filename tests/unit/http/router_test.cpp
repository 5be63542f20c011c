// The HTTP API's routes (docs/HTTP.md, "API"): each path runs the command the socket
// would, with the same args; every malformed request is refused with its status.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/api_error.hpp"
#include "http/router.hpp"

namespace mv::http {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

Route get(std::string_view target) {
    return route("GET", parse_target(target), "");
}

// The status, code and message of the ApiError `call` throws.
template <typename Call>
std::tuple<unsigned, std::string, std::string> refusal(Call call) {
    try {
        call();
    } catch (const ApiError& e) {
        return {e.status(), e.code(), e.what()};
    }
    return {0, "", "no error"};
}

TEST(Target, ModelIdsAreOneSegmentWithTheirSlashEncoded) {
    const auto target = parse_target("/api/v1/models/lab%2Fdqn%20v2.pkl/versions?where=win%3E0.5"
                                     "&where=loss+%3C+1&sort=");
    EXPECT_THAT(target.segments,
                ::testing::ElementsAre("api", "v1", "models", "lab/dqn v2.pkl", "versions"));
    ASSERT_EQ(target.query.size(), 3u);
    EXPECT_EQ(target.query[0], std::make_pair(std::string("where"), std::string("win>0.5")));
    EXPECT_EQ(target.query[1].second, "loss < 1");
    EXPECT_EQ(target.query[2].second, "");
    EXPECT_EQ(percent_encode("lab/dqn v2.pkl"), "lab%2Fdqn%20v2.pkl");
}

TEST(Target, MalformedEscapesAndNulBytesAreRefused) {
    EXPECT_EQ(std::get<0>(refusal([] { parse_target("/api/v1/models/a%2"); })), 400u);
    EXPECT_THAT(std::get<2>(refusal([] { parse_target("/a%zz"); })),
                HasSubstr("malformed %-escape at \"%zz\""));
    EXPECT_THAT(std::get<2>(refusal([] { parse_target("/a?x=%00"); })), HasSubstr("NUL"));
    EXPECT_EQ(std::get<0>(refusal([] { parse_target("http://x/"); })), 400u);
}

TEST(Router, ReadPathsRunTheReadCommands) {
    EXPECT_EQ(get("/api/v1/status").command, "status");
    EXPECT_EQ(get("/").kind, Route::Kind::overview);
    EXPECT_EQ(get("/?token=abc").args, json({{"token", "abc"}}));
    const auto page = get("/models/lab%2Fa.pkl?metric=%2Feval%2Fwin");
    EXPECT_EQ(page.kind, Route::Kind::model_page);
    EXPECT_EQ(page.args, json({{"model", "lab/a.pkl"}, {"metric", "/eval/win"}}));
    EXPECT_EQ(get("/metrics").kind, Route::Kind::metrics);
    EXPECT_EQ(get("/api/v1/models").kind, Route::Kind::models);
    EXPECT_EQ(get("/api/v1/models").command, "list");
    const auto versions = get("/api/v1/models/lab%2Fa.pkl/versions?tag=best&where=/eval/win%3E0.5"
                              "&where=loss<1&sort=win:asc&limit=3&since=2026-01-01");
    EXPECT_EQ(versions.command, "list");
    EXPECT_EQ(versions.args, json({{"model", "lab/a.pkl"},
                                   {"tag", "best"},
                                   {"where", {"/eval/win>0.5", "loss<1"}},
                                   {"sort", "win:asc"},
                                   {"limit", 3},
                                   {"since", "2026-01-01"}}));
    EXPECT_FALSE(versions.mutating);
    EXPECT_EQ(get("/api/v1/versions?model=lab%2Fa.pkl").args, json({{"model", "lab/a.pkl"}}));
    const auto show = get("/api/v1/models/lab%2Fa.pkl/versions/1.2");
    EXPECT_EQ(show.command, "show");
    EXPECT_EQ(show.args, json({{"model", "lab/a.pkl"}, {"selector", "1.2"}}));
    EXPECT_EQ(get("/api/v1/models/lab%2Fa.pkl/history").args, json({{"model", "lab/a.pkl"}}));
    EXPECT_EQ(get("/api/v1/audit?user=bob&limit=5").args, json({{"user", "bob"}, {"limit", 5}}));
    EXPECT_EQ(get("/api/v1/diff?a=m%401.0.0&b=m%401.1.0").args,
              json({{"a", "m@1.0.0"}, {"b", "m@1.1.0"}}));
    EXPECT_EQ(get("/api/v1/stats?scope=lab&by=params.algorithm&over=week").args,
              json({{"scope", "lab"}, {"by", "params.algorithm"}, {"over", "week"}}));
    const auto exported = get("/api/v1/models/lab%2Fa.pkl/versions/best/export?decrypt=true");
    EXPECT_EQ(exported.kind, Route::Kind::export_archive);
    EXPECT_EQ(exported.args,
              json({{"model", "lab/a.pkl"}, {"selector", "best"}, {"decrypt", true}}));
    const auto compare = get("/api/v1/compare?targets=m%401.0.0&targets=m%401.1.0");
    EXPECT_EQ(compare.command, "compare");
    EXPECT_EQ(compare.args, json({{"targets", {"m@1.0.0", "m@1.1.0"}}}));
}

TEST(Router, WritePathsTakeTheirArgsFromThePathAndABody) {
    const auto backup = route("POST", parse_target("/api/v1/models/lab%2Fa.pkl/backup"),
                              R"({"bump": "minor", "tags": ["rc"], "note": "n"})");
    EXPECT_EQ(backup.command, "backup");
    EXPECT_TRUE(backup.mutating);
    EXPECT_EQ(
        backup.args,
        json({{"models", {"lab/a.pkl"}}, {"bump", "minor"}, {"tags", {"rc"}}, {"note", "n"}}));
    EXPECT_EQ(route("POST", parse_target("/api/v1/backup"), R"({"all": true})").args,
              json({{"all", true}}));
    const auto add =
        route("POST", parse_target("/api/v1/models/m/versions/1.0.0/tags"), R"({"tag":"prod"})");
    EXPECT_EQ(add.command, "tag");
    EXPECT_EQ(add.args,
              json({{"model", "m"}, {"selector", "1.0.0"}, {"action", "add"}, {"tag", "prod"}}));
    const auto remove =
        route("DELETE", parse_target("/api/v1/models/m/versions/1.0.0/tags/prod"), "");
    EXPECT_EQ(remove.args,
              json({{"model", "m"}, {"selector", "1.0.0"}, {"action", "rm"}, {"tag", "prod"}}));
    EXPECT_EQ(route("POST", parse_target("/api/v1/prune"), R"({"dry_run": true})").command,
              "prune");
    const auto note = route("POST", parse_target("/api/v1/models/m/versions/1.0.0/notes"),
                            R"({"text": "diverged", "tags": ["lr"]})");
    EXPECT_EQ(note.command, "note");
    EXPECT_TRUE(note.mutating);
    EXPECT_EQ(
        note.args,
        json({{"model", "m"}, {"selector", "1.0.0"}, {"text", "diverged"}, {"tags", {"lr"}}}));
    const auto removal =
        route("DELETE", parse_target("/api/v1/models/m/versions/1.0.0?force=true"), "");
    EXPECT_EQ(removal.command, "delete");
    EXPECT_TRUE(removal.mutating);
    EXPECT_EQ(removal.args, json({{"model", "m"}, {"selector", "1.0.0"}, {"force", true}}));
    EXPECT_THAT(std::get<2>(refusal([] {
                    route("DELETE", parse_target("/api/v1/models/m/versions/1.0.0?force=yes"), "");
                })),
                HasSubstr("query parameter force must be true or false, got \"yes\""));
}

TEST(Router, UnknownPathsMethodsAndParametersAreRefused) {
    EXPECT_EQ(refusal([] { get("/api/v2/status"); }),
              std::make_tuple(404u, std::string("not_found"),
                              std::string("no such path: the API is under /api/v1/ "
                                          "(docs/HTTP.md lists every path; a model id is one "
                                          "path segment, its \"/\" written %2F)")));
    // A model id with a raw slash is a longer path, not the model.
    EXPECT_EQ(std::get<0>(refusal([] { get("/api/v1/models/lab/a.pkl/versions"); })), 404u);
    EXPECT_EQ(refusal([] { route("POST", parse_target("/api/v1/status"), ""); }),
              std::make_tuple(405u, std::string("method_not_allowed"),
                              std::string("POST is not allowed here; use GET")));
    EXPECT_EQ(std::get<0>(refusal([] { get("/api/v1/backup"); })), 405u);
    EXPECT_THAT(std::get<2>(refusal([] { get("/api/v1/models/m/versions?limt=3"); })),
                HasSubstr("unknown query parameter \"limt\": this path takes tag, since, until, "
                          "where, sort, offset, limit"));
    EXPECT_THAT(std::get<2>(refusal([] { get("/api/v1/status?x=1"); })),
                HasSubstr("this path takes none"));
    EXPECT_THAT(std::get<2>(refusal([] { get("/api/v1/versions?limit=three"); })),
                HasSubstr("query parameter limit must be an integer, got \"three\""));
    EXPECT_THAT(std::get<2>(refusal([] { get("/api/v1/versions?tag=a&tag=b"); })),
                HasSubstr("query parameter tag is given twice"));
}

TEST(Router, TheReviewPagesTakeTheirParameters) {
    const auto diff = get("/diff?a=lab%2Fa.pkl%401.0.0&b=lab%2Fa.pkl@1.1.0");
    EXPECT_EQ(diff.kind, Route::Kind::diff_page);
    EXPECT_EQ(diff.command, "diff");
    EXPECT_EQ(diff.args, json({{"a", "lab/a.pkl@1.0.0"}, {"b", "lab/a.pkl@1.1.0"}}));
    const auto audit = get("/audit?since=2026-11-30T00%3A00%3A00Z&user=ana&limit=20");
    EXPECT_EQ(audit.kind, Route::Kind::audit_page);
    EXPECT_EQ(audit.command, "audit");
    EXPECT_EQ(audit.args,
              json({{"since", "2026-11-30T00:00:00Z"}, {"user", "ana"}, {"limit", 20}}));
    EXPECT_EQ(get("/audit").args, json::object());
    EXPECT_FALSE(audit.mutating);
    // The audit page's form sends the fields left empty: on a page they are no filter; the
    // API passes them on (its command then says what is wrong).
    EXPECT_EQ(get("/audit?since=&user=root").args, json({{"user", "root"}}));
    EXPECT_EQ(get("/audit?since=&user=").args, json::object());
    EXPECT_EQ(get("/api/v1/audit?since=").args, json({{"since", ""}}));
}

TEST(Router, TheReviewPagesRefuseMissingAndMalformedParameters) {
    // A diff needs both sides, each given once and not empty.
    EXPECT_EQ(
        refusal([] { get("/diff?a=m%401.0.0"); }),
        std::make_tuple(400u, std::string("invalid_argument"),
                        std::string("query parameter b is missing; this path needs a and b")));
    EXPECT_EQ(std::get<0>(refusal([] { get("/diff"); })), 400u);
    EXPECT_THAT(std::get<2>(refusal([] { get("/diff?a=&b=m%401.1.0"); })),
                HasSubstr("query parameter a is missing"));
    EXPECT_THAT(std::get<2>(refusal([] { get("/diff?a=m%401&a=m%402&b=m%403"); })),
                HasSubstr("query parameter a is given twice"));
    EXPECT_THAT(std::get<2>(refusal([] { get("/diff?a=m%401&b=m%402&c=m%403"); })),
                HasSubstr("unknown query parameter \"c\": this path takes a, b"));
    EXPECT_THAT(std::get<2>(refusal([] { get("/audit?limit=all"); })),
                HasSubstr("query parameter limit must be an integer, got \"all\""));
    EXPECT_THAT(std::get<2>(refusal([] { get("/audit?command=backup"); })),
                HasSubstr("this path takes since, user, limit"));
    EXPECT_EQ(std::get<0>(refusal([] { route("POST", parse_target("/audit"), ""); })), 405u);
}

TEST(Router, BodiesAreJsonObjectsWithTheKeysOfThePath) {
    const auto post = [](std::string_view target, std::string_view body) {
        return [target, body] { route("POST", parse_target(target), body); };
    };
    EXPECT_EQ(refusal(post("/api/v1/backup", "{\"all\": tru")),
              std::make_tuple(400u, std::string("invalid_argument"),
                              std::string("the request body is not a JSON object")));
    EXPECT_THAT(std::get<2>(refusal(post("/api/v1/backup", "[1]"))),
                HasSubstr("is not a JSON object"));
    EXPECT_THAT(std::get<2>(refusal(post("/api/v1/backup", R"({"all":true,"all":false})"))),
                HasSubstr("has the key \"all\" twice"));
    EXPECT_THAT(std::get<2>(refusal(post("/api/v1/backup", std::string(100, '[')))),
                HasSubstr("nests"));
    // The path names the model: the body may not name others.
    EXPECT_THAT(std::get<2>(refusal(post("/api/v1/models/m/backup", R"({"models":["x"]})"))),
                HasSubstr("unknown key \"models\" in the request body: this path takes bump, "
                          "tags, note"));
    EXPECT_THAT(std::get<2>(refusal([] { route("GET", parse_target("/api/v1/status"), "{}"); })),
                HasSubstr("GET takes no request body"));
    // An empty body is no body.
    EXPECT_EQ(route("POST", parse_target("/api/v1/models/m/backup"), "").args,
              json({{"models", {"m"}}}));
}

TEST(OpenApi, TheDocumentListsWhatTheRouterAccepts) {
    const json document = openapi_document();
    EXPECT_EQ(document["openapi"], "3.0.3");
    const json& paths = document["paths"];
    // Every operation of the document routes, with its query parameters ...
    std::size_t operations = 0;
    for (const auto& [path, methods] : paths.items()) {
        for (const auto& [method, operation] : methods.items()) {
            ++operations;
            std::string method_upper = method;
            for (char& c : method_upper) {
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            std::string target = path;
            for (const json& parameter : operation["parameters"]) {
                const std::string name = parameter["name"];
                if (parameter["in"] == "path") {
                    target.replace(target.find("{" + name + "}"), name.size() + 2, "x");
                }
            }
            std::string query;
            for (const json& parameter : operation["parameters"]) {
                if (parameter["in"] == "query") {
                    query += (query.empty() ? "?" : "&") + parameter["name"].get<std::string>() +
                             (parameter["schema"]["type"] == "integer"   ? "=1"
                              : parameter["schema"]["type"] == "boolean" ? "=true"
                                                                         : "=x");
                }
            }
            EXPECT_NO_THROW(route(method_upper, parse_target(target + query), ""))
                << method << " " << target + query;
            // ... with one it marks required left empty, it is refused ...
            for (const json& parameter : operation["parameters"]) {
                if (parameter["in"] == "query" && parameter["required"] == true) {
                    const std::string name = parameter["name"];
                    std::string without = query;
                    without.replace(without.find(name + "=x"), name.size() + 2, name + "=");
                    EXPECT_THROW(route(method_upper, parse_target(target + without), ""), ApiError)
                        << method << " " << target + without;
                }
            }
            // ... and a parameter it does not list is refused.
            EXPECT_THROW(route(method_upper, parse_target(target + "?not_listed=1"), ""), ApiError)
                << method << " " << target;
        }
    }
    EXPECT_EQ(operations, 25u);
    // The pages are listed as such, and a parameter a path needs is marked required.
    EXPECT_EQ(paths["/diff"]["get"]["responses"]["200"]["content"].begin().key(), "text/html");
    EXPECT_EQ(paths["/diff"]["get"]["parameters"][0]["required"], true);
    EXPECT_EQ(paths["/audit"]["get"]["parameters"][0]["required"], false);
    EXPECT_TRUE(paths.contains("/api/v1/models/{model}/versions/{selector}/tags"));
    EXPECT_EQ(paths["/api/v1/backup"]["post"]["requestBody"]["content"]["application/json"]
                   ["schema"]["properties"]
                       .size(),
              5u);
}

TEST(ApiErrors, ControlErrorsKeepTheirCodeAndGetTheirStatus) {
    EXPECT_EQ(ApiError(ErrorCode::not_found, "no model x").status(), 404u);
    EXPECT_EQ(ApiError(ErrorCode::forbidden, "no").status(), 403u);
    EXPECT_EQ(ApiError(ErrorCode::conflict, "no").status(), 409u);
    EXPECT_EQ(ApiError(ErrorCode::invalid_argument, "no").status(), 400u);
    EXPECT_EQ(ApiError(ErrorCode::corrupt, "no").status(), 500u);
    EXPECT_EQ(json::parse(ApiError(ErrorCode::not_found, "no model x").body()),
              json({{"error", {{"code", "not_found"}, {"message", "no model x"}}}}));
}

} // namespace
} // namespace mv::http
