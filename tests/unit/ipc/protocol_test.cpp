#include <gtest/gtest.h>

#include "ipc/protocol.hpp"

namespace mv::ipc {
namespace {

TEST(ParseRequest, AcceptsTheDocumentedShape) {
    auto request = parse_request(R"({"id":7,"command":"list","args":{"model":"w/a.pkl"}})");
    ASSERT_TRUE(request);
    EXPECT_EQ(request->id, 7);
    EXPECT_EQ(request->command, "list");
    EXPECT_EQ(request->args["model"], "w/a.pkl");
    auto minimal = parse_request(R"({"command":"status"})");
    ASSERT_TRUE(minimal);
    EXPECT_TRUE(minimal->id.is_null());
    EXPECT_TRUE(minimal->args.is_object());
}

TEST(ParseRequest, ExplainsWhatIsWrong) {
    struct Case {
        const char* line;
        const char* expected;
    };
    for (const auto& c :
         {Case{"{nope", "not valid JSON"}, Case{"[1,2]", "JSON object"},
          Case{R"({"id":1})", "no \"command\""}, Case{R"({"id":1,"command":5})", "no \"command\""},
          Case{R"({"id":[1],"command":"x"})", "\"id\" must be"},
          Case{R"({"id":1,"command":"x","args":[1]})", "\"args\" must be"},
          Case{R"({"id":1,"command":"x","argz":{}})", "unknown request field"}}) {
        auto bad = parse_request(c.line);
        ASSERT_FALSE(bad) << c.line;
        EXPECT_NE(bad.error().message.find(c.expected), std::string::npos)
            << c.line << " → " << bad.error().message;
        EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
    }
    // The id is echoed when it could be read.
    EXPECT_EQ(parse_request(R"({"id":"abc","args":{}})").error().id, "abc");
}

TEST(ParseRequest, RejectsOversizedLines) {
    const std::string huge =
        R"({"command":"x","args":{"pad":")" + std::string(k_max_request_bytes, 'a') + "\"}}";
    auto bad = parse_request(huge);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("limit"), std::string::npos);
}

TEST(ParseRequest, RefusesDeepNestingBeforeParsing) {
    const std::string deep = R"({"command":"list","args":{"limit":)" + std::string(58'000, '[') +
                             std::string(58'000, ']') + "}}";
    auto bad = parse_request(deep);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(bad.error().message.find("64 levels"), std::string::npos) << bad.error().message;
    // Nesting up to the limit is fine.
    const std::string deepest = R"({"command":"x","args":{"a":)" +
                                std::string(k_max_request_depth - 2, '[') +
                                std::string(k_max_request_depth - 2, ']') + "}}";
    EXPECT_TRUE(parse_request(deepest));
}

TEST(ParseRequest, RefusesAKeyGivenTwice) {
    for (const char* line : {R"({"command":"list","command":"prune"})",
                             R"({"command":"list","args":{"model":"a","model":"b"}})",
                             R"({"command":"x","args":{"a":[{"k":1,"k":2}]}})"}) {
        auto bad = parse_request(line);
        ASSERT_FALSE(bad) << line;
        EXPECT_NE(bad.error().message.find("twice"), std::string::npos) << bad.error().message;
    }
    // The same key in different objects is fine.
    EXPECT_TRUE(parse_request(R"({"command":"x","args":{"a":{"k":1},"b":{"k":2}}})"));
}

TEST(Serialize, IsOneLineAndNeverThrowsOnBadUtf8) {
    const auto line = serialize(success_response(1, {{"name", "bad\xff"}}));
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    EXPECT_EQ(parse_error_code("not_found"), ErrorCode::not_found);
}

} // namespace
} // namespace mv::ipc
