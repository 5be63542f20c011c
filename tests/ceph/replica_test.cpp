// Replication against a real RADOS Gateway, on a vault laid out as docs/FORMAT.md says
// (content-addressed packs and manifests, histories, and files a replica must not hold):
// a pass uploads what is missing, the replica is rebuilt byte-exact into an empty folder,
// a damaged file is never uploaded and a damaged object never recovered.
#include <map>

#include <gtest/gtest.h>

#include "replica/recover.hpp"
#include "replica/sync.hpp"
#include "tests/ceph/gateway.hpp"
#include "tests/lib/temp_dir.hpp"

namespace mv::replica {
namespace {

namespace stdfs = std::filesystem;

std::string sha256(std::string_view data) {
    return s3::digest(s3::memory_body(data))->sha256_hex;
}

// A pack or manifest named by its content, as the vault writes them.
std::string add_pack(const test::TempDir& vault, const std::string& content) {
    const std::string id = sha256(content);
    test::write_file(vault / "packs" / id.substr(0, 2) / id, content);
    return "packs/" + id.substr(0, 2) + "/" + id;
}

std::string add_index(const test::TempDir& vault, const std::string& content) {
    const std::string id = sha256(content);
    test::write_file(vault / "index" / id, content);
    return "index/" + id;
}

std::string add_manifest(const test::TempDir& vault, const std::string& content) {
    const std::string id = sha256(content);
    test::write_file(vault / "manifests" / (id + ".json"), content);
    return "manifests/" + id + ".json";
}

// Every regular file below `root` (relative path → content).
std::map<std::string, std::string> tree(const stdfs::path& root) {
    std::map<std::string, std::string> files;
    for (const auto& entry : stdfs::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) {
            files[entry.path().lexically_relative(root).string()] = test::read_file(entry.path());
        }
    }
    return files;
}

class Replica : public test::GatewayTest {
protected:
    // A vault with two versions: a large pack (multipart), small ones, a history.
    void make_vault(const test::TempDir& vault) {
        test::write_file(vault / "vault.json", R"({"format":"modelvault","version":2})");
        add_pack(vault, test::random_bytes(20u << 20, 1));
        add_pack(vault, test::random_bytes(3000, 2));
        add_manifest(vault, R"({"model":"lab/a","version":"1.0.0"})");
        add_manifest(vault, R"({"model":"lab/a","version":"1.0.1"})");
        test::write_file(vault / "models/lab/a/history.jsonl", "{\"pointer\":\"best\"}\n");
        index = add_index(vault, "index of both packs");
        // Not for the replica: local state.
        test::write_file(vault / "state/lock", "123");
        test::write_file(vault / "tmp/half-written-pack", "x");
    }

    s3::TransferPool pool() { return s3::TransferPool(location(), gateway().credentials, {}, 3); }

    std::string index;
};

TEST_F(Replica, APassUploadsEverythingAndTheVaultComesBackByteExact) {
    test::TempDir vault("replica-vault");
    make_vault(vault);
    auto uploader = pool();

    // Before: two versions and every byte pending.
    const SyncPlan before = pending(vault.path(), client());
    EXPECT_EQ(before.pending_versions, 2u);
    EXPECT_EQ(before.data.size(), 4u); // vault.json, two packs, their index file

    const PassReport report = sync_once(vault.path(), uploader);
    EXPECT_TRUE(report.complete);
    EXPECT_EQ(report.uploaded_files, 7u);
    EXPECT_TRUE(pending(vault.path(), client()).empty());
    EXPECT_TRUE(client().head(index));
    EXPECT_FALSE(client().head("state/lock"));

    // A second pass has nothing to do.
    EXPECT_EQ(sync_once(vault.path(), uploader).uploaded_files, 0u);

    // The machine is lost: the replica comes back into an empty folder, byte for byte
    // (but for the index, which the store rebuilds from the packs).
    test::TempDir elsewhere("replica-recovered");
    const stdfs::path target = elsewhere / "vault";
    const RecoveryReport recovered = recover(uploader, target);
    EXPECT_EQ(recovered.versions, 2u);
    auto expected = tree(vault.path());
    std::erase_if(expected, [](const auto& file) {
        return file.first.starts_with("index/") || file.first.starts_with("state/") ||
               file.first.starts_with("tmp/");
    });
    EXPECT_EQ(tree(target), expected);

    // Recovering over a vault is refused.
    EXPECT_THROW(recover(uploader, target), Error);
}

TEST_F(Replica, AGrownHistoryAndANewVersionGoUpInTheNextPass) {
    test::TempDir vault("replica-vault");
    make_vault(vault);
    auto uploader = pool();
    sync_once(vault.path(), uploader);

    const std::string pack = add_pack(vault, test::random_bytes(5000, 3));
    const std::string manifest = add_manifest(vault, R"({"model":"lab/a","version":"1.0.2"})");
    test::write_file(vault / "models/lab/a/history.jsonl",
                     "{\"pointer\":\"best\"}\n{\"pointer\":\"current\"}\n");
    const SyncPlan next = pending(vault.path(), client());
    EXPECT_EQ(next.pending_versions, 1u);
    EXPECT_EQ(next.data.size(), 1u);
    EXPECT_EQ(next.histories.size(), 1u);

    EXPECT_EQ(sync_once(vault.path(), uploader).uploaded_files, 3u);
    EXPECT_TRUE(client().head(pack));
    EXPECT_TRUE(client().head(manifest));
}

TEST_F(Replica, ADamagedPackIsNotUploadedAndItsVersionWaits) {
    // A pack whose bytes no longer hash to its name (bit rot) must not reach the replica,
    // and no manifest of that pass either.
    test::TempDir vault("replica-vault");
    test::write_file(vault / "vault.json", "{}");
    const std::string pack = add_pack(vault, test::random_bytes(4000, 4));
    const std::string manifest = add_manifest(vault, "{}");
    test::write_file(vault / pack, test::random_bytes(4000, 5));
    auto uploader = pool();
    try {
        sync_once(vault.path(), uploader);
        FAIL() << "a damaged pack was uploaded";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ErrorCode::corrupt) << error.what();
        EXPECT_NE(std::string(error.what()).find("verify --read-data"), std::string::npos);
    }
    EXPECT_FALSE(client().head(pack));
    EXPECT_FALSE(client().head(manifest));
}

TEST_F(Replica, ADamagedObjectOnTheReplicaIsNotRecovered) {
    test::TempDir vault("replica-vault");
    make_vault(vault);
    auto uploader = pool();
    sync_once(vault.path(), uploader);
    const std::string pack = add_pack(vault, "original");
    client().put(pack, s3::memory_body("tampered")); // same size, other bytes

    test::TempDir elsewhere("replica-recovered");
    try {
        recover(uploader, elsewhere / "vault");
        FAIL() << "a damaged object was recovered";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ErrorCode::corrupt) << error.what();
        EXPECT_NE(std::string(error.what()).find(pack), std::string::npos) << error.what();
    }
    EXPECT_FALSE(stdfs::exists(elsewhere / "vault" / pack));
    EXPECT_TRUE(!stdfs::exists(elsewhere / "vault" / "manifests") ||
                stdfs::is_empty(elsewhere / "vault" / "manifests"))
        << "no manifest may be recovered before every pack is";
}

TEST_F(Replica, AnEmptyReplicaIsNotAVault) {
    auto uploader = pool();
    test::TempDir elsewhere("replica-recovered");
    try {
        recover(uploader, elsewhere / "vault");
        FAIL() << "an empty replica was recovered";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("holds no version"), std::string::npos);
    }
}

} // namespace
} // namespace mv::replica
