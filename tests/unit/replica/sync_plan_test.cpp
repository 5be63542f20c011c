#include <gtest/gtest.h>

#include "replica/sync_plan.hpp"

namespace mv::replica {
namespace {

VaultFile file(std::string key, std::uint64_t size, FileRole role, int minute = 0) {
    return VaultFile{std::move(key), size, role, SystemTime(std::chrono::minutes(minute))};
}

TEST(SyncPlan, UploadsWhatIsMissingDataBeforeManifestsBeforeHistories) {
    const std::vector<VaultFile> local = {
        file("manifests/m1.json", 10, FileRole::manifest, 5),
        file("manifests/m2.json", 20, FileRole::manifest, 3),
        file("vault.json", 2, FileRole::data),
        file("packs/aa/p1", 1000, FileRole::data),
        file("packs/bb/p2", 2000, FileRole::data),
        file("models/m/history.jsonl", 50, FileRole::history),
    };
    const RemoteListing remote = {
        {"vault.json", 2}, {"packs/aa/p1", 1000}, {"manifests/m1.json", 10}};
    const SyncPlan plan = plan_sync(local, remote);
    ASSERT_EQ(plan.data.size(), 1u);
    EXPECT_EQ(plan.data[0].key, "packs/bb/p2");
    ASSERT_EQ(plan.manifests.size(), 1u);
    EXPECT_EQ(plan.manifests[0].key, "manifests/m2.json");
    ASSERT_EQ(plan.histories.size(), 1u);
    EXPECT_EQ(plan.pending_versions, 1u);
    EXPECT_EQ(plan.pending_bytes, 2000u + 20u + 50u);
    EXPECT_EQ(plan.oldest_pending, SystemTime(std::chrono::minutes(3)));
}

TEST(SyncPlan, AnObjectOfAnotherSizeIsUploadedAgain) {
    // A grown history, or a content-addressed object damaged on the replica.
    const std::vector<VaultFile> local = {file("models/m/history.jsonl", 80, FileRole::history),
                                          file("packs/aa/p1", 1000, FileRole::data)};
    const SyncPlan plan = plan_sync(local, {{"models/m/history.jsonl", 50}, {"packs/aa/p1", 999}});
    EXPECT_EQ(plan.histories.size(), 1u);
    EXPECT_EQ(plan.data.size(), 1u);
}

TEST(SyncPlan, NothingPendingWhenTheReplicaIsUpToDate) {
    const std::vector<VaultFile> local = {file("manifests/m1.json", 10, FileRole::manifest)};
    const SyncPlan plan = plan_sync(local, {{"manifests/m1.json", 10}, {"extra", 1}});
    EXPECT_TRUE(plan.empty());
    EXPECT_EQ(plan.pending_versions, 0u);
    EXPECT_FALSE(plan.oldest_pending);
}

} // namespace
} // namespace mv::replica
