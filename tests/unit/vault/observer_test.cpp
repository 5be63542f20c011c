// Who hears about a vault's changes (vault.hpp, VaultObserver): every registered observer,
// once the change is durable — new versions and revisions, removals, and moves of `best`
// and `current` (the daemon's replicas upload a rollback at once; the catalog mirrors
// versions) — and none after it is removed.
#include <gtest/gtest.h>

#include "tests/lib/fake_clock.hpp"
#include "tests/lib/temp_dir.hpp"
#include "vault/vault.hpp"

namespace mv::vault {
namespace {

// What one observer heard, in order: "committed 1.0.0", "moved current 1.0.0", …
struct Heard {
    std::vector<std::string> events;
    VaultObserver observer() {
        return {
            [this](const Manifest& m) { events.push_back("committed " + m.version.to_string()); },
            [this](const Manifest& m, const std::string&) {
                events.push_back("removed " + m.version.to_string());
            },
            [this](const std::string&, const HistoryRecord& record) {
                events.push_back(std::string("moved ") + to_string(record.pointer) + " " +
                                 (record.to ? record.to->to_string() : "-"));
            }};
    }
};

class VaultObserverTest : public ::testing::Test {
protected:
    Manifest store(const std::string& content) {
        test::write_file(dir / "models/m.pkl", content);
        NewVersion request;
        request.model = {"w", "m.pkl"};
        request.files = {SourceFile::beneath(dir / "models", "m.pkl", "m.pkl")};
        return vault->write_version(request, std::stop_token{}).manifest;
    }

    test::TempDir dir{"observed"};
    test::FakeClock clock{*parse_time("2026-12-01T08:00:00Z")};
    std::unique_ptr<Vault> vault = Vault::open({dir / "vault", {}, true, "test-host"}, clock);
};

TEST_F(VaultObserverTest, EveryObserverHearsVersionsRemovalsAndPointerMoves) {
    Heard first;
    Heard second;
    vault->add_observer(first.observer());
    vault->add_observer(second.observer());
    const auto one = store("one");
    store("two");
    vault->move_pointer("w/m.pkl", Pointer::current, one.version, "rollback", 0);
    vault->move_pointer("w/m.pkl", Pointer::best, std::nullopt, "unset", 0);
    vault->remove_version("w/m.pkl", one.version, "test", 0);
    const std::vector<std::string> expected = {"committed 1.0.0", "committed 1.0.1",
                                               "moved current 1.0.0", "moved best -",
                                               "removed 1.0.0"};
    EXPECT_EQ(first.events, expected);
    EXPECT_EQ(second.events, expected);
}

TEST_F(VaultObserverTest, AnObserverRemovedHearsNothingMore) {
    Heard kept;
    Heard removed;
    vault->add_observer(kept.observer());
    const auto handle = vault->add_observer(removed.observer());
    const auto one = store("one");
    vault->remove_observer(handle);
    vault->move_pointer("w/m.pkl", Pointer::current, one.version, "rollback", 0);
    EXPECT_EQ(removed.events, std::vector<std::string>{"committed 1.0.0"});
    EXPECT_EQ(kept.events, (std::vector<std::string>{"committed 1.0.0", "moved current 1.0.0"}));
}

} // namespace
} // namespace mv::vault
