// The commands that hand their work to a job queue: backup, import, restore, verify, diff,
// compare — called through the registry on FakeServices; the jobs run to the end on the
// queues' threads (FakeServices::answer). That every registered command is called by some
// test of this target is checked in fake_services.cpp.
#include <fcntl.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/daemon/fake_services.hpp"

namespace mv::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class JobCommandsTest : public ::testing::Test {
protected:
    // The backup service reads the files' real ctime: its clock runs an hour after it, so
    // every file written by the test has been left alone for longer than settle.
    // system_clock::now() is deliberate here: file ctimes are real (fake_services.hpp).
    void settle_files() {
        services.fake_clock().set(std::chrono::system_clock::now() + std::chrono::hours(1));
    }

    FakeServices services;
};

TEST_F(JobCommandsTest, BackupStoresANamedModelAndAnswersWithItsVersion) {
    write_file(services.models() / "m.pkl", "weights");
    settle_files();
    const auto r = services.answer(
        "backup", {{"models", json::array({"w/m.pkl"})}, {"tags", json::array({"first"})}});
    ASSERT_TRUE(r->ok) << r->message;
    ASSERT_EQ(r->result["results"].size(), 1u);
    EXPECT_EQ(r->result["results"][0]["model"], "w/m.pkl");
    EXPECT_EQ(r->result["results"][0]["status"], "committed");
    EXPECT_EQ(r->result["results"][0]["version"], "1.0.0");
    EXPECT_EQ(services.vault().versions("w/m.pkl").size(), 1u);
}

TEST_F(JobCommandsTest, BackupRefusesBadArgumentsBeforeStartingAnything) {
    const auto neither = services.answer("backup", json::object());
    EXPECT_EQ(neither->code, ErrorCode::invalid_argument);
    EXPECT_THAT(neither->message, HasSubstr("name the models to back up"));
    const auto watch = services.answer("backup", {{"models", json::array({"other/m.pkl"})}});
    EXPECT_EQ(watch->code, ErrorCode::not_found);
    EXPECT_THAT(watch->message, HasSubstr("no watch named other"));
    const auto bump = services.answer("backup", {{"all", true}, {"bump", "huge"}});
    EXPECT_EQ(bump->code, ErrorCode::invalid_argument);
    EXPECT_TRUE(services.vault().models().empty());
}

TEST_F(JobCommandsTest, BackupOfAllWithNothingToBackUpAnswersAtOnce) {
    const auto r = services.call("backup", {{"all", true}});
    ASSERT_TRUE(r->answered());
    EXPECT_EQ(r->result["results"], json::array());
}

TEST_F(JobCommandsTest, ImportStoresAFilePassedAsADescriptor) {
    write_file(services.models() / "../old.pkl", "old weights");
    std::vector<UniqueFd> fds;
    fds.emplace_back(::open((services.models() / "../old.pkl").c_str(), O_RDONLY | O_CLOEXEC));
    const auto r = services.answer(
        "import",
        {{"model", "w/m.pkl"},
         {"new_model", true},
         {"files", json::array({{{"name", "old.pkl"}, {"time", "2026-01-01T00:00:00Z"}}})}},
        std::move(fds));
    ASSERT_TRUE(r->ok) << r->message;
    ASSERT_EQ(r->result["results"].size(), 1u);
    EXPECT_EQ(r->result["results"][0]["status"], "committed");
    EXPECT_EQ(r->result["results"][0]["version"], "1.0.0");
    EXPECT_EQ(services.vault().versions("w/m.pkl").size(), 1u);
}

TEST_F(JobCommandsTest, ImportRefusesANewModelAndMissingDescriptors) {
    const auto model =
        services.answer("import", {{"model", "w/m.pkl"}, {"files", json::array({json::object()})}});
    EXPECT_EQ(model->code, ErrorCode::not_found);
    EXPECT_THAT(model->message, HasSubstr("--new-model"));
    const auto fds = services.answer(
        "import",
        {{"model", "w/m.pkl"}, {"new_model", true}, {"files", json::array({{{"name", "a"}}})}});
    EXPECT_EQ(fds->code, ErrorCode::invalid_argument);
    EXPECT_THAT(fds->message, HasSubstr("1 file(s) named but 0 descriptor(s) received"));
    EXPECT_EQ(services.answer("import", json::object())->code, ErrorCode::invalid_argument);
}

TEST_F(JobCommandsTest, RestoreStreamsATarIntoThePipe) {
    services.save("m.pkl", "weights");
    int ends[2];
    ASSERT_EQ(::pipe2(ends, O_CLOEXEC), 0);
    UniqueFd read_end(ends[0]);
    std::vector<UniqueFd> fds;
    fds.emplace_back(ends[1]);
    const auto r = services.answer("restore", {{"target", "w/m.pkl"}}, std::move(fds));
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(r->result["version"], "1.0.0");
    EXPECT_EQ(r->result["stream"], "tar");
    std::string tar;
    char buffer[4096];
    for (ssize_t n = 0; (n = ::read(read_end.get(), buffer, sizeof buffer)) > 0;) {
        tar.append(buffer, static_cast<std::size_t>(n));
    }
    EXPECT_EQ(tar.size(), r->result["bytes"].get<std::size_t>());
    EXPECT_THAT(tar, HasSubstr("weights"));
}

TEST_F(JobCommandsTest, RestoreNeedsAPipeAndKnownMembers) {
    services.save("m.pkl", "weights");
    const auto pipe = services.answer("restore", {{"target", "w/m.pkl"}});
    EXPECT_EQ(pipe->code, ErrorCode::invalid_argument);
    EXPECT_THAT(pipe->message, HasSubstr("pass the pipe's write end"));
    const auto members = services.answer("restore", {{"target", "w/m.pkl"}, {"members", "x"}});
    EXPECT_EQ(members->code, ErrorCode::invalid_argument);
}

TEST_F(JobCommandsTest, VerifyChecksEveryVersionOfAModel) {
    services.save("m.pkl", "one");
    services.save("m.pkl", "two");
    const auto r = services.answer("verify", {{"target", "w/m.pkl"}, {"read_data", true}});
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(r->result["checked"], 2);
    EXPECT_EQ(r->result["failed"], 0);
    EXPECT_EQ(r->result["read_data"], true);
    EXPECT_EQ(services.answer("verify", {{"target", "w/x.pkl"}})->code, ErrorCode::not_found);
    EXPECT_EQ(services.answer("verify", {{"all", 1}})->code, ErrorCode::invalid_argument);
}

TEST_F(JobCommandsTest, DiffComparesTwoVersionsOfAModel) {
    services.save("m.pkl", "one");
    services.save("m.pkl", "two!");
    const auto r = services.answer("diff", {{"a", "w/m.pkl@1.0.0"}, {"b", "@1.0.1"}});
    ASSERT_TRUE(r->ok) << r->message;
    ASSERT_TRUE(r->result.contains("files")) << r->result.dump();
    ASSERT_EQ(r->result["files"].size(), 1u);
    EXPECT_EQ(r->result["files"][0]["member"], "model/m.pkl");
    EXPECT_EQ(r->result["files"][0]["size_b"], 4);
    const auto missing = services.answer("diff", {{"a", "w/m.pkl@1.0.0"}});
    EXPECT_EQ(missing->code, ErrorCode::invalid_argument);
    EXPECT_THAT(missing->message, HasSubstr("\"b\" is required"));
}

TEST_F(JobCommandsTest, CompareMakesATableOfVersions) {
    services.save("m.pkl", "one");
    services.save("m.pkl", "two");
    const auto r =
        services.answer("compare", {{"targets", json::array({"w/m.pkl@1.0.0", "w/m.pkl@1.0.1"})}});
    ASSERT_TRUE(r->ok) << r->message;
    ASSERT_EQ(r->result["versions"].size(), 2u);
    EXPECT_EQ(r->result["versions"][1]["version"], "1.0.1");
    EXPECT_TRUE(r->result["rows"].is_array());
    const auto one = services.answer("compare", {{"targets", json::array({"w/m.pkl"})}});
    EXPECT_EQ(one->code, ErrorCode::invalid_argument);
    EXPECT_THAT(one->message, HasSubstr("got 1"));
}

} // namespace
} // namespace mv::test
