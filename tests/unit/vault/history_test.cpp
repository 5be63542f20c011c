#include <gtest/gtest.h>

#include "tests/lib/fake_clock.hpp"
#include "tests/lib/temp_dir.hpp"
#include "vault/history.hpp"
#include "vault/selector.hpp"
#include "vault/vault.hpp"

namespace mv::vault {
namespace {

TEST(History, AppendsAndReplays) {
    test::TempDir dir("history");
    const auto file = dir / "history.jsonl";
    HistoryRecord first{*parse_time("2026-11-22T08:00:00Z"),
                        Pointer::best,
                        std::nullopt,
                        Version{1, 0, 0},
                        "first",
                        -1};
    HistoryRecord second{*parse_time("2026-11-22T09:00:00Z"),
                         Pointer::best,
                         Version{1, 0, 0},
                         Version{1, 1, 0},
                         "improved",
                         -1};
    HistoryRecord rollback{*parse_time("2026-11-22T10:00:00Z"),
                           Pointer::current,
                           std::nullopt,
                           Version{1, 0, 0},
                           "rollback",
                           1000};
    ASSERT_TRUE(append_history(file, first));
    ASSERT_TRUE(append_history(file, second));
    ASSERT_TRUE(append_history(file, rollback));
    std::vector<std::string> problems;
    const auto records = parse_history(test::read_file(file), problems);
    EXPECT_TRUE(problems.empty());
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(pointer_value(records, Pointer::best), (Version{1, 1, 0}));
    EXPECT_EQ(pointer_value(records, Pointer::current), (Version{1, 0, 0}));
    EXPECT_EQ(records[2].uid, 1000);
}

TEST(History, ATornLineIsSkippedAndTheNextRecordSurvives) {
    test::TempDir dir("history");
    const auto file = dir / "history.jsonl";
    test::write_file(file, "{\"time\":\"2026-11-22T08:00:00Z\",\"pointer\":\"best\",\"fr");
    ASSERT_TRUE(append_history(file, {*parse_time("2026-11-22T09:00:00Z"), Pointer::best,
                                      std::nullopt, Version{1, 0, 1}, "after crash", -1}));
    std::vector<std::string> problems;
    const auto records = parse_history(test::read_file(file), problems);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(problems.size(), 1u);
    EXPECT_EQ(pointer_value(records, Pointer::best), (Version{1, 0, 1}));
}

TEST(History, ANumberTooLargeOrNotWholeIsAProblemNotACrash) {
    // Found by fuzz_history (UBSan: 1.84467e+20 outside the range of unsigned long).
    const std::string lines =
        "{\"time\":\"2026-11-22T08:00:00Z\",\"pointer\":\"removed\",\"from\":\"1.0.0\","
        "\"to\":null,\"sequence\":184467440737095516161}\n"
        "{\"time\":\"2026-11-22T08:00:00Z\",\"pointer\":\"best\",\"from\":null,"
        "\"to\":\"1.0.0\",\"uid\":1e300}\n"
        "{\"time\":\"2026-11-22T08:00:00Z\",\"pointer\":\"removed\",\"from\":\"1.0.1\","
        "\"to\":null,\"sequence\":7,\"uid\":1000}\n";
    std::vector<std::string> problems;
    const auto records = parse_history(lines, problems);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].sequence, 7u);
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_NE(problems[0].find("\"sequence\" is not a whole number"), std::string::npos)
        << problems[0];
    EXPECT_NE(problems[1].find("\"uid\" is not a whole number"), std::string::npos) << problems[1];
}

TEST(History, VaultMovesPointersDurablyAndReloadsThem) {
    test::TempDir dir("history");
    test::FakeClock clock;
    auto vault = Vault::open({dir / "vault", {}, true, "h"}, clock);
    test::write_file(dir / "m.pkl", "one");
    NewVersion request;
    request.model = {"w", "m.pkl"};
    request.files = {SourceFile::beneath(dir.path(), "m.pkl", "m.pkl")};
    request.make_best = true;
    request.best_reason = "first recorded value";
    const auto first = vault->write_version(request, {}).manifest;
    test::write_file(dir / "m.pkl", "two");
    request.make_best = false;
    const auto second = vault->write_version(request, {}).manifest;
    EXPECT_EQ(vault->pointer("w/m.pkl", Pointer::best), first.version);
    EXPECT_EQ(vault->tags_of(first), std::vector<std::string>{"best"});
    EXPECT_TRUE(vault->tags_of(second).empty());
    EXPECT_THROW(vault->move_pointer("w/m.pkl", Pointer::current, Version{9, 9, 9}, "x", 0), Error);
    vault->move_pointer("w/m.pkl", Pointer::current, first.version, "rollback", 1000);
    vault.reset();
    vault = Vault::open({dir / "vault", {}, true, "h"}, clock);
    EXPECT_EQ(vault->pointer("w/m.pkl", Pointer::best), first.version);
    EXPECT_EQ(vault->pointer("w/m.pkl", Pointer::current), first.version);
    ASSERT_EQ(vault->history("w/m.pkl").size(), 2u);
    EXPECT_EQ(vault->history("w/m.pkl")[1].uid, 1000);
    // Selectors follow the pointers.
    const auto versions = vault->versions("w/m.pkl");
    const Pointers pointers{first.version, std::nullopt};
    EXPECT_EQ(select_version(versions, "w/m.pkl", "best", pointers)->version, first.version);
    auto none = select_version(versions, "w/m.pkl", "current", {});
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().find("none is `current`"), std::string::npos) << none.error();
}

} // namespace
} // namespace mv::vault
