// Applying retention to a real vault: ties in creation time, and removals that are
// recorded so that no version number is given twice.
#include <gtest/gtest.h>

#include "daemon/pruner.hpp"
#include "tests/lib/fake_clock.hpp"
#include "tests/lib/temp_dir.hpp"

namespace mv::daemon {
namespace {

class PrunerTest : public ::testing::Test {
protected:
    void SetUp() override {
        vault = vault::Vault::open({dir / "vault", {}, true, "test-host"}, clock);
    }

    std::string save(const std::string& content) {
        test::write_file(dir / "models/m.pkl", content);
        vault::NewVersion request;
        request.model = {"w", "m.pkl"};
        request.files = {vault::SourceFile::beneath(dir / "models", "m.pkl", "m.pkl")};
        return vault->write_version(request, {}).manifest.version.to_string();
    }

    test::TempDir dir{"pruner"};
    test::FakeClock clock{*parse_time("2026-11-22T08:00:00Z")};
    std::unique_ptr<vault::Vault> vault;
};

TEST_F(PrunerTest, OfVersionsMadeInTheSameSecondTheLastMadeIsTheNewest) {
    save("first");
    save("second"); // the fake clock did not move: same creation time
    config::RetentionPolicy keep_one;
    keep_one.keep_last = 1;
    const auto report = prune_model(*vault, "w/m.pkl", keep_one, clock.now(), DryRun::no);
    ASSERT_EQ(report.removed, std::vector<std::string>{"1.0.0"});
    ASSERT_EQ(vault->versions("w/m.pkl").size(), 1u);
    EXPECT_EQ(vault->versions("w/m.pkl")[0].version.to_string(), "1.0.1");
}

TEST_F(PrunerTest, ARemovedVersionsNumberAndSequenceAreNeverGivenAgain) {
    save("first");
    clock.advance(std::chrono::hours(1));
    save("second"); // 1.0.1, the newest
    // An import may give an older version a higher number: make 1.0.1 the older one.
    vault::NewVersion old;
    test::write_file(dir / "models/old.pkl", "old");
    old.model = {"w", "m.pkl"};
    old.files = {vault::SourceFile::beneath(dir / "models", "old.pkl", "m.pkl")};
    old.created = clock.now() - std::chrono::hours(48);
    old.version = vault::Version::parse("1.5.0");
    ASSERT_TRUE(vault->write_version(old, {}).committed);
    config::RetentionPolicy keep_one;
    keep_one.keep_last = 1;
    const auto report = prune_model(*vault, "w/m.pkl", keep_one, clock.now(), DryRun::no);
    EXPECT_EQ(report.removed, (std::vector<std::string>{"1.0.0", "1.5.0"}));
    const auto& history = vault->history("w/m.pkl");
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[1].pointer, vault::Pointer::removed);
    EXPECT_EQ(history[1].from->to_string(), "1.5.0");
    EXPECT_EQ(history[1].sequence, 3u);

    // The next version follows 1.5.0 and sequence 3, also after the vault is reopened.
    EXPECT_EQ(save("third"), "1.5.1");
    vault.reset();
    vault = vault::Vault::open({dir / "vault", {}, true, "test-host"}, clock);
    EXPECT_EQ(save("fourth"), "1.5.2");
    EXPECT_EQ(vault->versions("w/m.pkl").back().sequence, 5u);
}

TEST_F(PrunerTest, ACollectionCutShortRunsAtTheNextPruneEvenWhenItRemovesNothing) {
    save("first");
    save("second");
    // Retention removed 1.0.0 and the daemon died (or the disk filled up) before the
    // collection that follows: 1.0.0's pack is garbage that no version references.
    vault->remove_version("w/m.pkl", *vault::Version::parse("1.0.0"), "retention: test");
    EXPECT_TRUE(vault->collection_due());
    vault.reset();
    vault = vault::Vault::open({dir / "vault", {}, true, "test-host"}, clock);
    const auto packs = vault->stats().packs;

    config::RetentionPolicy keep_one;
    keep_one.keep_last = 1;
    const auto dry = prune_model(*vault, "w/m.pkl", keep_one, clock.now(), DryRun::yes);
    EXPECT_EQ(dry.reclaimed_bytes, 0u); // a dry run removes nothing and collects nothing
    EXPECT_TRUE(vault->collection_due());
    const auto report = prune_model(*vault, "w/m.pkl", keep_one, clock.now(), DryRun::no);
    EXPECT_TRUE(report.removed.empty());
    EXPECT_GT(report.reclaimed_bytes, 0u);
    EXPECT_EQ(vault->stats().packs, packs - 1);
    EXPECT_FALSE(vault->collection_due());
}

} // namespace
} // namespace mv::daemon
