// Audit records as JSON lines, the filters of `modelvaultctl audit`, and targets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/record.hpp"

namespace mv::audit {
namespace {

AuditRecord sample() {
    return {SystemTime(std::chrono::seconds(1795000000)), 1000, "alice", 4242,    "restore",
            "lab/dqn.pkl@1.0.0 to /home/alice/x",         "ok", "",      "socket"};
}

TEST(AuditRecord, ALineRoundTrips) {
    const std::string line = to_line(sample());
    EXPECT_EQ(
        line,
        R"({"command":"restore","pid":4242,"result":"ok","target":"lab/dqn.pkl@1.0.0 to /home/alice/x","time":"2026-11-18T11:06:40Z","uid":1000,"user":"alice","via":"socket"})"
        "\n");
    const auto back = parse_line(line);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->user, "alice");
    EXPECT_EQ(back->time, sample().time);
    EXPECT_EQ(back->target, sample().target);
    AuditRecord denied = sample();
    denied.result = "denied";
    denied.error = "forbidden: alice may not run `backup`";
    EXPECT_EQ(parse_line(to_line(denied))->error, denied.error);
}

TEST(AuditRecord, TornAndForeignLinesAreNotRecords) {
    const std::string line = to_line(sample());
    EXPECT_FALSE(parse_line(line.substr(0, line.size() / 2)));
    EXPECT_FALSE(parse_line("[1,2]"));
    EXPECT_FALSE(
        parse_line(R"({"time":"yesterday","uid":0,"user":"x","command":"c","result":"ok"})"));
}

TEST(AuditRecord, FiltersBySinceAndByUserNameOrUid) {
    const AuditRecord record = sample();
    EXPECT_TRUE(matches(record, {}));
    EXPECT_TRUE(matches(record, {record.time, ""}));
    EXPECT_FALSE(matches(record, {record.time + std::chrono::seconds(1), ""}));
    EXPECT_TRUE(matches(record, {std::nullopt, "alice"}));
    EXPECT_TRUE(matches(record, {std::nullopt, "1000"}));
    EXPECT_FALSE(matches(record, {std::nullopt, "bob"}));
}

TEST(AuditRecord, TargetsSayWhatARequestWasAbout) {
    using nlohmann::json;
    EXPECT_EQ(describe_target(json{{"target", "lab/a.pkl@1.0"}, {"to", "/tmp/x"}}),
              "lab/a.pkl@1.0 to /tmp/x");
    EXPECT_EQ(describe_target(json{{"models", {"lab/a.pkl", "lab/b.pkl"}}}), "lab/a.pkl lab/b.pkl");
    EXPECT_EQ(describe_target(json{{"all", true}}), "all models");
    EXPECT_EQ(describe_target(json{{"model", "lab/a.pkl"}, {"version", "1.0.0"}}),
              "lab/a.pkl@1.0.0");
    EXPECT_EQ(
        describe_target(json{{"target", "lab/a.pkl@1"}, {"action", "add"}, {"tag", "pinned"}}),
        "lab/a.pkl@1 add tag pinned");
    EXPECT_EQ(describe_target(json{{"dry_run", true}}), "(dry run)");
    EXPECT_EQ(describe_target(json::object()), "");
    EXPECT_EQ(describe_target(json{{"all", "yes"}, {"model", 3}}), "") << "wrong types ignored";
    EXPECT_EQ(describe_target(json{{"target", std::string(2000, 'x')}}).size(), 512u);
}

} // namespace
} // namespace mv::audit
