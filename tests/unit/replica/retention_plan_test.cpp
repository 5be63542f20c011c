#include <gtest/gtest.h>

#include "replica/retention_plan.hpp"

namespace mv::replica {
namespace {

using namespace std::chrono_literals;

VaultFile file(std::string key) {
    return VaultFile{std::move(key), 1, FileRole::data, {}};
}

store::ChunkId chunk(std::uint8_t n) {
    store::ChunkId id;
    id.bytes.fill(n);
    return id;
}

const SystemTime k_now = SystemTime(std::chrono::hours(24 * 20000));

TEST(RetentionPlan, AVersionTheVaultRemovedStaysForKeepRemovedThenGoes) {
    const std::vector<VaultFile> local = {file("manifests/kept.json")};
    const RemoteListing remote = {{"manifests/kept.json", 1}, {"manifests/gone.json", 1}};

    // First seen gone now: kept, and remembered from now.
    RemovalPlan plan = plan_removals(local, remote, {}, k_now, 24h);
    EXPECT_TRUE(plan.remove.empty());
    ASSERT_EQ(plan.removed_since.size(), 1u);
    EXPECT_EQ(plan.removed_since.at("manifests/gone.json"), k_now);

    // A day minus a second later: still kept, still counted from the first time.
    plan = plan_removals(local, remote, plan.removed_since, k_now + 24h - 1s, 24h);
    EXPECT_TRUE(plan.remove.empty());
    EXPECT_EQ(plan.removed_since.at("manifests/gone.json"), k_now);

    // A day later: removed, and forgotten.
    plan = plan_removals(local, remote, plan.removed_since, k_now + 24h, 24h);
    EXPECT_EQ(plan.remove, std::vector<std::string>{"manifests/gone.json"});
    EXPECT_TRUE(plan.removed_since.empty());
}

TEST(RetentionPlan, KeepRemovedZeroRemovesAtOnceAndAVersionBackIsForgotten) {
    const RemoteListing remote = {{"manifests/m.json", 1}, {"packs/aa/p", 1}};
    EXPECT_EQ(plan_removals({}, remote, {}, k_now, 0s).remove,
              std::vector<std::string>{"manifests/m.json"});
    // A recovery brought it back: it is no longer counted as removed.
    const RemovalPlan plan = plan_removals({file("manifests/m.json")}, remote,
                                           {{"manifests/m.json", k_now - 1h}}, k_now, 24h);
    EXPECT_TRUE(plan.remove.empty());
    EXPECT_TRUE(plan.removed_since.empty());
}

TEST(RetentionPlan, ASignatureGoesWithItsManifestOrWhenItsManifestIsGoneEverywhere) {
    const std::vector<VaultFile> local = {file("manifests/kept.json"), file("signatures/kept.json"),
                                          file("manifests/new.json"), file("signatures/new.json")};
    const RemoteListing remote = {{"manifests/kept.json", 1},     {"signatures/kept.json", 1},
                                  {"manifests/gone.json", 1},     {"signatures/gone.json", 1},
                                  {"signatures/waiting.json", 1}, {"manifests/waiting.json", 1},
                                  {"signatures/new.json", 1}, // its manifest goes up next
                                  {"signatures/stray.json", 1}};
    // keep_removed not passed: gone and waiting stay with their signatures; the stray one
    // (no manifest anywhere) goes.
    RemovalPlan plan = plan_removals(local, remote, {}, k_now, 24h);
    EXPECT_TRUE(plan.remove.empty());
    EXPECT_EQ(plan.signatures, std::vector<std::string>{"signatures/stray.json"});
    // Passed: both manifests and their signatures.
    plan = plan_removals(local, remote, plan.removed_since, k_now + 24h, 24h);
    EXPECT_EQ(plan.remove,
              (std::vector<std::string>{"manifests/gone.json", "manifests/waiting.json"}));
    EXPECT_EQ(plan.signatures,
              (std::vector<std::string>{"signatures/gone.json", "signatures/stray.json",
                                        "signatures/waiting.json"}));
}

TEST(RetentionPlan, OnlyPacksAndIndexFilesTheVaultNoLongerHasAreOrphans) {
    const std::vector<VaultFile> local = {file("packs/aa/local"), file("index/i1"),
                                          file("manifests/m.json")};
    const RemoteListing remote = {{"packs/aa/local", 1}, {"packs/bb/gone", 1},
                                  {"index/i1", 1},       {"index/i0", 1},
                                  {"vault.json", 1},     {"models/m/history.jsonl", 1}};
    const Orphans orphans = find_orphans(local, remote);
    EXPECT_EQ(orphans.packs, std::vector<std::string>{"packs/bb/gone"});
    EXPECT_EQ(orphans.indexes, std::vector<std::string>{"index/i0"});
}

TEST(RetentionPlan, APackGoesOnlyWhenNoKeptVersionNeedsAChunkOnlyItHolds) {
    // p_dead: nothing in it is referenced. p_needed: chunk 2 is referenced and has no other
    // copy. p_moved: chunk 3 is referenced but was repacked into a pack the vault has and
    // the replica holds (covered). p_unindexed: no index file lists it.
    Orphans orphans;
    orphans.packs = {"packs/aa/p_dead", "packs/aa/p_moved", "packs/aa/p_needed",
                     "packs/aa/p_unindexed"};
    orphans.indexes = {"index/old", "index/mixed", "index/unread", "index/local"};
    OrphanContents contents;
    contents.pack_chunks = {{"packs/aa/p_dead", {chunk(1)}},
                            {"packs/aa/p_needed", {chunk(1), chunk(2)}},
                            {"packs/aa/p_moved", {chunk(3)}}};
    contents.index_packs = {{"index/old", {"packs/aa/p_dead", "packs/aa/p_moved"}},
                            {"index/mixed", {"packs/aa/p_dead", "packs/aa/p_needed"}},
                            {"index/local", {"packs/aa/p_dead", "packs/aa/in_the_vault"}}};
    RemoteListing remote;
    for (const auto& key : orphans.packs) {
        remote[key] = 1;
    }
    remote["packs/aa/in_the_vault"] = 1;
    const ChunkSet referenced = {chunk(2), chunk(3)};
    const ChunkSet covered = {chunk(3)};

    const CollectionPlan plan = plan_collection(orphans, contents, remote, referenced, covered);
    EXPECT_EQ(plan.packs, (std::vector<std::string>{"packs/aa/p_dead", "packs/aa/p_moved"}));
    // index/old lists only removed packs, index/local removed ones and one the vault has
    // (its own index files list it); index/mixed still lists p_needed; index/unread could
    // not be read, so what it lists is unknown.
    EXPECT_EQ(plan.indexes, (std::vector<std::string>{"index/local", "index/old"}));
}

TEST(RetentionPlan, AnIndexFileWhosePacksAreAlreadyGoneGoes) {
    Orphans orphans;
    orphans.indexes = {"index/stale"};
    OrphanContents contents;
    contents.index_packs = {{"index/stale", {"packs/aa/removed_before"}}};
    const CollectionPlan plan = plan_collection(orphans, contents, {}, {}, {});
    EXPECT_EQ(plan.indexes, std::vector<std::string>{"index/stale"});
}

TEST(RetentionPlan, PackKeysAreNamedAsInTheVault) {
    std::string hex;
    for (int i = 0; i < 32; ++i) {
        hex += "ab";
    }
    EXPECT_EQ(pack_key(chunk(0xab)), "packs/ab/" + hex);
}

} // namespace
} // namespace mv::replica
