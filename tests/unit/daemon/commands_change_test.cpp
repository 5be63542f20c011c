// The commands that change versions: note, delete, tag, prune, rollback, rollback_done —
// called through the registry on FakeServices; the backup queue's jobs run for real.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/daemon/fake_services.hpp"

namespace mv::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class ChangeCommandsTest : public ::testing::Test {
protected:
    FakeServices services;
};

TEST_F(ChangeCommandsTest, NoteAddsANoteByTheCaller) {
    services.save("m.pkl", "one");
    const auto r = services.answer("note", {{"target", "w/m.pkl"}, {"text", "good run"}});
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(r->result["version"], "1.0.0");
    ASSERT_EQ(r->result["notes"].size(), 1u);
    EXPECT_EQ(r->result["notes"][0]["text"], "good run");
    EXPECT_EQ(services.vault().latest("w/m.pkl")->notes.size(), 1u);
}

TEST_F(ChangeCommandsTest, NoteRefusesAnEmptyTextAndAnUnknownVersion) {
    services.save("m.pkl", "one");
    const auto empty = services.answer("note", {{"target", "w/m.pkl"}, {"text", ""}});
    EXPECT_EQ(empty->code, ErrorCode::invalid_argument);
    const auto missing = services.answer("note", {{"target", "w/m.pkl@9.9.9"}, {"text", "x"}});
    EXPECT_EQ(missing->code, ErrorCode::not_found);
}

TEST_F(ChangeCommandsTest, DeleteRemovesAVersion) {
    services.save("m.pkl", "one");
    services.save("m.pkl", "two");
    const auto r = services.answer("delete", {{"target", "w/m.pkl@1.0.0"}});
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(r->result["version"], "1.0.0");
    EXPECT_TRUE(r->result.contains("reclaimed_bytes"));
    ASSERT_EQ(services.vault().versions("w/m.pkl").size(), 1u);
    EXPECT_EQ(services.vault().versions("w/m.pkl")[0].version.to_string(), "1.0.1");
}

TEST_F(ChangeCommandsTest, DeleteOfTheCurrentVersionNeedsForce) {
    services.save("m.pkl", "one");
    const auto rolled =
        services.answer("rollback_done", {{"model", "w/m.pkl"}, {"version", "1.0.0"}});
    ASSERT_TRUE(rolled->ok) << rolled->message;
    const auto refused = services.answer("delete", {{"target", "w/m.pkl@1.0.0"}});
    ASSERT_FALSE(refused->ok);
    EXPECT_EQ(refused->code, ErrorCode::conflict);
    EXPECT_THAT(refused->message, HasSubstr("it is current"));
    EXPECT_EQ(services.answer("delete", {{"target", "w/m.pkl"}, {"force", "yes"}})->code,
              ErrorCode::invalid_argument);
    const auto forced = services.answer("delete", {{"target", "w/m.pkl@1.0.0"}, {"force", true}});
    EXPECT_TRUE(forced->ok) << forced->message;
    EXPECT_TRUE(services.vault().versions("w/m.pkl").empty());
}

TEST_F(ChangeCommandsTest, TagAddsAndRemovesATag) {
    services.save("m.pkl", "one");
    const auto added =
        services.answer("tag", {{"target", "w/m.pkl"}, {"action", "add"}, {"tag", "prod"}});
    ASSERT_TRUE(added->ok) << added->message;
    EXPECT_THAT(added->result["tags"].get<std::vector<std::string>>(), ::testing::Contains("prod"));
    const auto removed =
        services.answer("tag", {{"target", "w/m.pkl"}, {"action", "rm"}, {"tag", "prod"}});
    ASSERT_TRUE(removed->ok) << removed->message;
    const auto again =
        services.answer("tag", {{"target", "w/m.pkl"}, {"action", "rm"}, {"tag", "prod"}});
    EXPECT_EQ(again->code, ErrorCode::not_found);
}

TEST_F(ChangeCommandsTest, TagRefusesABadActionAndAReservedTag) {
    services.save("m.pkl", "one");
    const auto action =
        services.answer("tag", {{"target", "w/m.pkl"}, {"action", "set"}, {"tag", "prod"}});
    EXPECT_EQ(action->code, ErrorCode::invalid_argument);
    EXPECT_THAT(action->message, HasSubstr("not add or rm"));
    const auto reserved =
        services.answer("tag", {{"target", "w/m.pkl"}, {"action", "add"}, {"tag", "best"}});
    EXPECT_EQ(reserved->code, ErrorCode::invalid_argument);
}

TEST_F(ChangeCommandsTest, PruneDryRunReportsEveryModel) {
    services.save("a.pkl", "a");
    services.save("b.pkl", "b");
    const auto r = services.answer("prune", {{"dry_run", true}});
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(r->result["dry_run"], true);
    ASSERT_EQ(r->result["models"].size(), 2u);
    EXPECT_EQ(r->result["models"][0]["model"], "w/a.pkl");
    EXPECT_EQ(r->result["models"][1]["model"], "w/b.pkl");
    EXPECT_EQ(services.vault().versions("w/a.pkl").size(), 1u);
}

TEST_F(ChangeCommandsTest, PruneOfAnEmptyVaultAndOfAnUnknownModel) {
    const auto empty = services.answer("prune", json::object());
    ASSERT_TRUE(empty->ok) << empty->message;
    EXPECT_EQ(empty->result["models"], json::array());
    EXPECT_EQ(services.answer("prune", {{"model", "w/x.pkl"}})->code, ErrorCode::not_found);
}

TEST_F(ChangeCommandsTest, RollbackSaysWhereTheVersionGoes) {
    services.save("m.pkl", "one");
    services.save("m.pkl", "two"); // the folder holds 1.0.1, backed up
    const auto r = services.answer("rollback", {{"target", "w/m.pkl@1.0.0"}});
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(r->result["manifest"]["version"], "1.0.0");
    EXPECT_EQ(r->result["folder"], services.models().string());
    EXPECT_EQ(r->result["from"], "1.0.1");
    EXPECT_EQ(r->result["stream"], "restore");
}

TEST_F(ChangeCommandsTest, RollbackRefusesToDiscardChangesThatAreNotBackedUp) {
    services.save("m.pkl", "one");
    write_file(services.models() / "m.pkl", "changed since");
    const auto refused = services.answer("rollback", {{"target", "w/m.pkl@1.0.0"}});
    ASSERT_FALSE(refused->ok);
    EXPECT_EQ(refused->code, ErrorCode::conflict);
    EXPECT_THAT(refused->message, HasSubstr("not backed up yet"));
    const auto forced = services.answer("rollback", {{"target", "w/m.pkl@1.0.0"}, {"force", true}});
    EXPECT_TRUE(forced->ok) << forced->message;
}

TEST_F(ChangeCommandsTest, RollbackDoneMovesCurrent) {
    services.save("m.pkl", "one");
    services.save("m.pkl", "two");
    const auto r = services.answer("rollback_done",
                                   {{"model", "w/m.pkl"}, {"version", "1.0.0"}, {"from", "1.0.1"}});
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(r->result["current"], "1.0.0");
    EXPECT_EQ(services.vault().pointer("w/m.pkl", vault::Pointer::current)->to_string(), "1.0.0");
    const auto bad = services.answer("rollback_done", {{"model", "w/m.pkl"}, {"version", "one"}});
    EXPECT_EQ(bad->code, ErrorCode::invalid_argument);
    EXPECT_THAT(bad->message, HasSubstr("MAJOR.MINOR.PATCH"));
}

} // namespace
} // namespace mv::test
