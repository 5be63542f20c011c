// Retention on a real RADOS Gateway (docs/REPLICAS.md, "Retention on the replica"), with
// time injected: a version the vault removed stays on the replica for keep_removed, then
// goes with the packs no version there needs; packs the vault still has (an upload whose
// manifest is not committed yet) and packs a kept version needs stay; another vault's
// replica is never touched.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crypto/master_key.hpp"
#include "replica/retention.hpp"
#include "store/index_format.hpp"
#include "store/sealing.hpp"
#include "tests/ceph/gateway.hpp"
#include "tests/lib/fake_clock.hpp"
#include "tests/lib/temp_dir.hpp"

namespace mv::replica {
namespace {

using namespace std::chrono_literals;

// Long enough for an index file to place its chunks inside.
std::string pad(const std::string& name) {
    return name + std::string(1024, '.');
}

store::Digest sha256_of(const std::string& data) {
    return store::Digest::sha256_of(store::as_bytes(data));
}

// A pack of `content` (opaque: retention reads only the index, which says it holds
// `chunks`, stored raw one after the other), its key.
std::string store_pack(const test::TempDir& vault, const std::string& content,
                       const std::vector<std::string>& chunks,
                       std::vector<store::IndexedPack>& index) {
    const store::PackId id = sha256_of(content);
    store::IndexedPack pack{id, content.size(), {}};
    std::uint32_t offset = 8; // after the pack's lead (docs/FORMAT.md, "Packs")
    for (const auto& chunk : chunks) {
        const auto size = static_cast<std::uint32_t>(chunk.size());
        pack.blobs.push_back(
            store::BlobEntry{sha256_of(chunk), store::BlobCodec::raw, offset, size, size});
        offset += size;
    }
    index.push_back(pack);
    test::write_file(vault / pack_key(id), content);
    return pack_key(id);
}

// An index file, sealed when `sealing` is an encrypted vault's, its key.
std::string store_index(const test::TempDir& vault, const std::vector<store::IndexedPack>& packs,
                        const store::Sealing& sealing = store::Sealing()) {
    const auto bytes = sealing.seal(crypto::Role::index, {}, store::encode_index(packs));
    const std::string content(bytes.begin(), bytes.end());
    const std::string key = "index/" + sha256_of(content).hex();
    test::write_file(vault / key, content);
    return key;
}

// A manifest (only what retention reads: files[].chunks), sealed when `sealing` is an
// encrypted vault's, its key.
std::string store_manifest(const test::TempDir& vault, const std::string& version,
                           const std::vector<std::string>& chunks,
                           const store::Sealing& sealing = store::Sealing()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& chunk : chunks) {
        list.push_back({sha256_of(chunk).hex(), chunk.size()});
    }
    const std::string plain =
        nlohmann::json{{"model", "lab/a"}, {"version", version}, {"files", {{{"chunks", list}}}}}
            .dump();
    const auto sealed = sealing.seal(crypto::Role::manifest, {}, store::as_bytes(plain));
    const std::string content(sealed.begin(), sealed.end());
    const std::string key = "manifests/" + sha256_of(content).hex() + ".json";
    test::write_file(vault / key, content);
    return key;
}

class ReplicaRetention : public test::GatewayTest {
protected:
    void SetUp() override {
        GatewayTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        pool = std::make_unique<s3::TransferPool>(location(), gateway().credentials,
                                                  s3::ClientOptions{}, 3);
        test::write_file(vault / "vault.json", R"({"format":"modelvault","version":2,)"
                                               R"("created":"2026-11-30T08:00:00Z"})");
    }

    // A pass, then retention at the fake clock's time.
    RetentionReport pass_and_retain(std::chrono::milliseconds keep_removed,
                                    const store::Sealing& sealing = store::Sealing()) {
        PassReport pass = sync_once(vault.path(), *pool);
        EXPECT_TRUE(pass.complete);
        return apply_retention(vault.path(), list_vault_files(vault.path()), pass.remote_after,
                               state, clock.now(), keep_removed, *pool, sealing);
    }

    // vault.json of an encrypted vault, and its key's sealing.
    store::Sealing encrypted_vault() {
        test::write_file(vault / "vault.json", R"({"format":"modelvault","version":2,)"
                                               R"("created":"2026-11-30T08:00:00Z",)"
                                               R"("encrypted":true})");
        return store::Sealing(
            std::make_shared<const crypto::MasterKey>(crypto::MasterKey::generate()));
    }

    bool on_replica(const std::string& key) { return client().head(key).has_value(); }

    test::TempDir vault{"replica-retention"};
    test::FakeClock clock;
    RetentionState state;
    std::unique_ptr<s3::TransferPool> pool; ///< made in SetUp(), once the bucket is known
};

TEST_F(ReplicaRetention, ARemovedVersionGoesAfterKeepRemovedWithThePacksOnlyItNeeded) {
    // 1.0.0 needs chunks a and b, 1.0.1 needs a and c. Pack p1 holds a and b, p2 holds c.
    std::vector<store::IndexedPack> first;
    const std::string p1 = store_pack(vault, pad("pack one"), {"a", "b"}, first);
    const std::string i1 = store_index(vault, first);
    const std::string m0 = store_manifest(vault, "1.0.0", {"a", "b"});
    std::vector<store::IndexedPack> second;
    const std::string p2 = store_pack(vault, pad("pack two"), {"c"}, second);
    const std::string i2 = store_index(vault, second);
    const std::string m1 = store_manifest(vault, "1.0.1", {"a", "c"});
    EXPECT_EQ(pass_and_retain(1h).versions, 0u);

    // Local retention removes 1.0.0; the local collection repacks p1 into p3 (chunk a
    // only) and replaces i1 by i3.
    std::filesystem::remove(vault / m0);
    std::vector<store::IndexedPack> third;
    const std::string p3 = store_pack(vault, pad("pack three"), {"a"}, third);
    const std::string i3 = store_index(vault, third);
    std::filesystem::remove(vault / i1);
    std::filesystem::remove(vault / p1);

    // Before keep_removed has passed, 1.0.0 is complete on the replica: nothing goes.
    clock.advance(59min);
    RetentionReport report = pass_and_retain(1h);
    EXPECT_EQ(report.versions + report.packs + report.indexes, 0u);
    EXPECT_EQ(state.removed_since.size(), 1u);
    EXPECT_TRUE(on_replica(m0) && on_replica(p1) && on_replica(i1) && on_replica(p3));

    // An hour after the pass that found it gone: 1.0.0, the pack only it needed, and the
    // index file of that pack go; 1.0.1 and everything it needs stays.
    clock.advance(1h);
    report = pass_and_retain(1h);
    EXPECT_EQ(report.versions, 1u);
    EXPECT_EQ(report.packs, 1u);
    EXPECT_EQ(report.indexes, 1u);
    EXPECT_TRUE(state.removed_since.empty());
    EXPECT_FALSE(on_replica(m0));
    EXPECT_FALSE(on_replica(p1));
    EXPECT_FALSE(on_replica(i1));
    for (const auto& key : {m1, p2, i2, p3, i3}) {
        EXPECT_TRUE(on_replica(key)) << key;
    }

    // The state survives: a second run finds nothing more.
    report = pass_and_retain(1h);
    EXPECT_EQ(report.versions + report.packs + report.indexes, 0u);
}

TEST_F(ReplicaRetention, AnOrphanPackAKeptVersionStillNeedsStays) {
    // The vault loses pack p1 (say, a collection repacked it into a pack whose upload has
    // not happened yet); 1.0.0 on the replica still needs chunk a, which only p1 holds
    // there.
    std::vector<store::IndexedPack> first;
    const std::string p1 = store_pack(vault, pad("pack one"), {"a"}, first);
    const std::string i1 = store_index(vault, first);
    const std::string m0 = store_manifest(vault, "1.0.0", {"a"});
    pass_and_retain(0s);
    std::filesystem::remove(vault / p1);
    std::filesystem::remove(vault / i1);

    const RetentionReport report = pass_and_retain(0s);
    EXPECT_EQ(report.packs + report.indexes, 0u);
    EXPECT_TRUE(on_replica(p1) && on_replica(i1) && on_replica(m0));
}

TEST_F(ReplicaRetention, PacksUploadedForAVersionNotCommittedYetStay) {
    // A backup's packs and index are in the vault, its manifest not yet: retention with
    // keep_removed 0 must not take them for garbage.
    std::vector<store::IndexedPack> packs;
    const std::string pack = store_pack(vault, pad("pack of a backup in flight"), {"x"}, packs);
    const std::string index = store_index(vault, packs);
    const RetentionReport report = pass_and_retain(0s);
    EXPECT_EQ(report.packs + report.indexes, 0u);
    EXPECT_TRUE(on_replica(pack) && on_replica(index));
}

TEST_F(ReplicaRetention, AnotherVaultsReplicaIsNeitherWrittenNorPruned) {
    const std::string theirs =
        R"({"format":"modelvault","version":2,"created":"2025-01-01T00:00:00Z"})";
    client().put("vault.json", s3::memory_body(theirs));
    client().put("manifests/" + std::string(64, 'a') + ".json", s3::memory_body("{}"));
    store_manifest(vault, "1.0.0", {});
    try {
        pass_and_retain(0s);
        FAIL() << "another vault's replica was used";
    } catch (const ReplicaRefused& error) {
        EXPECT_EQ(error.code(), ErrorCode::conflict);
        EXPECT_NE(std::string(error.what()).find("its own bucket or prefix"), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(client().get("vault.json"), theirs);
    EXPECT_TRUE(on_replica("manifests/" + std::string(64, 'a') + ".json"));
}

TEST_F(ReplicaRetention, AnEncryptedVaultsReplicaIsCollectedWithTheVaultsKey) {
    // As in the first test, sealed: 1.0.0 needs a and b (pack p1), 1.0.1 needs a and c
    // (p2). A manifest written before the vault was encrypted, still plain, needs d (p4).
    const store::Sealing sealing = encrypted_vault();
    std::vector<store::IndexedPack> first;
    const std::string p1 = store_pack(vault, pad("pack one"), {"a", "b"}, first);
    const std::string i1 = store_index(vault, first, sealing);
    const std::string m0 = store_manifest(vault, "1.0.0", {"a", "b"}, sealing);
    std::vector<store::IndexedPack> second;
    const std::string p2 = store_pack(vault, pad("pack two"), {"c"}, second);
    const std::string i2 = store_index(vault, second, sealing);
    const std::string m1 = store_manifest(vault, "1.0.1", {"a", "c"}, sealing);
    std::vector<store::IndexedPack> fourth;
    const std::string p4 = store_pack(vault, pad("pack four"), {"d"}, fourth);
    const std::string i4 = store_index(vault, fourth);
    const std::string plain = store_manifest(vault, "0.9.0", {"d"});
    pass_and_retain(0s, sealing);

    // 1.0.0 goes; p1 is repacked into p3 (chunk a); p4 leaves the vault (repacked too, its
    // new pack not uploaded yet).
    std::filesystem::remove(vault / m0);
    std::vector<store::IndexedPack> third;
    const std::string p3 = store_pack(vault, pad("pack three"), {"a"}, third);
    const std::string i3 = store_index(vault, third, sealing);
    for (const auto& key : {i1, p1, i4, p4}) {
        std::filesystem::remove(vault / key);
    }
    const RetentionReport report = pass_and_retain(0s, sealing);
    EXPECT_EQ(report.versions, 1u);
    EXPECT_EQ(report.packs, 1u);
    EXPECT_EQ(report.indexes, 1u);
    EXPECT_FALSE(on_replica(m0) || on_replica(p1) || on_replica(i1));
    for (const auto& key : {m1, p2, i2, p3, i3, plain, p4, i4}) {
        EXPECT_TRUE(on_replica(key)) << key;
    }
}

TEST_F(ReplicaRetention, WithoutTheKeyAnEncryptedVaultsPacksStay) {
    // Which packs a sealed manifest needs is unknown without the key: the version the
    // vault removed goes after keep_removed, its packs stay.
    const store::Sealing sealing = encrypted_vault();
    std::vector<store::IndexedPack> packs;
    const std::string pack = store_pack(vault, pad("pack one"), {"a"}, packs);
    const std::string index = store_index(vault, packs, sealing);
    const std::string manifest = store_manifest(vault, "1.0.0", {"a"}, sealing);
    pass_and_retain(0s);
    for (const auto& key : {manifest, index, pack}) {
        std::filesystem::remove(vault / key);
    }
    const RetentionReport report = pass_and_retain(0s);
    EXPECT_EQ(report.versions, 1u);
    EXPECT_EQ(report.packs + report.indexes, 0u);
    EXPECT_FALSE(on_replica(manifest));
    EXPECT_TRUE(on_replica(pack) && on_replica(index));
}

} // namespace
} // namespace mv::replica
