// Signed versions with the real daemon (docs/FORMAT.md, "Signatures"): an encrypted vault
// signs each manifest; `verify --signatures` checks the vault and an exported version with
// the public key alone, and names each version signed by another key or changed.
#include <fstream>

#include "tests/integration/daemon_fixture.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;

std::size_t files_in(const std::filesystem::path& folder) {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(folder)) {
        ++count;
    }
    return count;
}

class SignatureTest : public DaemonTest {
protected:
    std::filesystem::path key = dir / "vault.key";
    std::filesystem::path public_key = dir / "vault.pub";
    std::filesystem::path archive = dir / "dqn.tar.zst";

    void SetUp() override {
        DaemonTest::SetUp();
        ASSERT_EQ(run({binary("modelvaultctl"), "key", "init", key.string()}).exit_code, 0);
        config["encryption"] = {{"key_file", key.string()}};
        start_daemon();
        write_model("dqn.pkl", pickle(random_bytes(300000, 7)));
        ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1, 60s));
        const auto exported = ctl({"export", "lab/dqn.pkl", "-o", archive.string(), "--decrypt"});
        ASSERT_EQ(exported.exit_code, 0) << exported.err;
        const auto printed = ctl({"key", "public", "--vault", vault.string()});
        ASSERT_EQ(printed.exit_code, 0) << printed.err;
        write_file(public_key, printed.out);
    }

    CommandResult check(const std::filesystem::path& target, const std::filesystem::path& with) {
        return ctl({"verify", "--signatures", "--public-key", with.string(), target.string()});
    }
};

TEST_F(SignatureTest, TheVaultAndTheExportVerifyWithThePublicKeyAlone) {
    // A retag writes a new revision: signed too, and the old signature goes with the old
    // manifest.
    ASSERT_EQ(ctl({"tag", "lab/dqn.pkl@1.0.0", "add", "prod"}).exit_code, 0);
    EXPECT_EQ(files_in(vault / "signatures"), files_in(vault / "manifests"));
    ASSERT_EQ(stop_daemon(), 0); // no daemon is needed
    const auto vault_checked = check(vault, public_key);
    EXPECT_EQ(vault_checked.exit_code, 0) << vault_checked.out << vault_checked.err;
    EXPECT_NE(vault_checked.out.find("signed   lab/dqn.pkl 1.0.0"), std::string::npos)
        << vault_checked.out;
    const auto archive_checked = check(archive, public_key);
    EXPECT_EQ(archive_checked.exit_code, 0) << archive_checked.out << archive_checked.err;
    EXPECT_NE(archive_checked.out.find("signed   lab/dqn.pkl 1.0.0"), std::string::npos)
        << archive_checked.out;
    // The exported archive still restores by hand and imports (signature.json is extra).
    const auto out = dir / "tar-out";
    std::filesystem::create_directories(out);
    ASSERT_EQ(run({"tar", "--zstd", "-xf", archive.string(), "-C", out.string()}).exit_code, 0);
    EXPECT_TRUE(std::filesystem::exists(out / "signature.json"));
}

TEST_F(SignatureTest, ASignatureByAnotherKeyFailsNamingTheVersion) {
    const auto other = dir / "other.pub";
    ASSERT_EQ(sh("openssl genpkey -algorithm ed25519 | openssl pkey -pubout > " + other.string())
                  .exit_code,
              0);
    for (const auto& target : {std::filesystem::path(vault), archive}) {
        const auto checked = check(target, other);
        EXPECT_EQ(checked.exit_code, 1) << target;
        EXPECT_NE(checked.out.find("FAILED   lab/dqn.pkl 1.0.0"), std::string::npos) << checked.out;
        EXPECT_NE(checked.out.find("not signed by key"), std::string::npos) << checked.out;
    }
    // A key that is not an Ed25519 public key is named.
    const auto bad = check(vault, key);
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.err.find(key.string()), std::string::npos) << bad.err;
}

TEST_F(SignatureTest, ATamperedManifestFailsNamingTheVersion) {
    ASSERT_EQ(stop_daemon(), 0);
    // In the vault: one flipped byte of the sealed manifest.
    const auto file = std::filesystem::directory_iterator(vault / "manifests")->path();
    std::string sealed = read_file(file);
    sealed[sealed.size() / 2] ^= 1;
    std::filesystem::remove(file);
    write_file(file, sealed);
    const auto checked = check(vault, public_key);
    EXPECT_EQ(checked.exit_code, 1);
    EXPECT_NE(checked.out.find("FAILED   lab/dqn.pkl 1.0.0"), std::string::npos) << checked.out;
    EXPECT_NE(checked.out.find("changed or damaged"), std::string::npos) << checked.out;
    // In the export: manifest.json with another reason, the archive otherwise intact.
    const auto out = dir / "tar-out";
    std::filesystem::create_directories(out);
    ASSERT_EQ(run({"tar", "--zstd", "-xf", archive.string(), "-C", out.string()}).exit_code, 0);
    std::string manifest = read_file(out / "manifest.json");
    const auto at = manifest.find("\"reason\": \"");
    ASSERT_NE(at, std::string::npos) << manifest;
    manifest.insert(at + 11, "approved by the lab; ");
    write_file(out / "manifest.json", manifest);
    const auto forged = dir / "forged.tar.zst";
    ASSERT_EQ(run({"tar", "--zstd", "-cf", forged.string(), "-C", out.string(), "manifest.json",
                   "signature.json", "model/dqn.pkl", "README.md"})
                  .exit_code,
              0);
    const auto forged_checked = check(forged, public_key);
    EXPECT_EQ(forged_checked.exit_code, 1);
    EXPECT_NE(forged_checked.out.find("FAILED   lab/dqn.pkl 1.0.0"), std::string::npos)
        << forged_checked.out;
    EXPECT_NE(forged_checked.out.find("manifest.json was changed"), std::string::npos)
        << forged_checked.out;
}

TEST_F(SignatureTest, TheDaemonsVerifyChecksEverySignatureWithTheVaultsOwnKey) {
    write_model("dqn.pkl", pickle(random_bytes(300000, 8)));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 2, 60s));
    const auto intact = ctl({"verify", "--all"});
    ASSERT_EQ(intact.exit_code, 0) << intact.out << intact.err;
    // Version 1's signature put in place of version 2's: named, and the other one still ok.
    const auto both = versions("lab/dqn.pkl");
    const auto signature_of = [&](const std::string& version) {
        for (const auto& e : std::filesystem::directory_iterator(vault / "signatures")) {
            if (nlohmann::json::parse(read_file(e.path()))["model_version"] == version) {
                return e.path();
            }
        }
        return std::filesystem::path();
    };
    const auto newest = signature_of(both[0]["version"]);
    const auto oldest = signature_of(both[1]["version"]);
    ASSERT_TRUE(std::filesystem::exists(newest)) << newest;
    std::filesystem::remove(newest);
    std::filesystem::copy_file(oldest, newest);
    const auto swapped = ctl({"verify", "lab/dqn.pkl"});
    EXPECT_EQ(swapped.exit_code, 1) << swapped.out << swapped.err;
    EXPECT_NE(swapped.out.find("is for another manifest"), std::string::npos) << swapped.out;
    EXPECT_NE(swapped.out.find(both[0]["version"].get<std::string>()), std::string::npos)
        << swapped.out;
    // A missing signature is a failure too: whoever replaced a manifest removed it.
    std::filesystem::remove(newest);
    const auto missing = ctl({"verify", "lab/dqn.pkl@" + both[0]["version"].get<std::string>()});
    EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
    EXPECT_NE(missing.out.find("has no signature"), std::string::npos) << missing.out;
}

TEST_F(DaemonTest, APlainVaultHasNoSignaturesAndSaysSo) {
    start_daemon();
    write_model("dqn.pkl", pickle(random_bytes(1000, 8)));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1, 60s));
    const auto key = dir / "any.pub";
    ASSERT_EQ(
        sh("openssl genpkey -algorithm ed25519 | openssl pkey -pubout > " + key.string()).exit_code,
        0);
    const auto checked =
        ctl({"verify", "--signatures", "--public-key", key.string(), vault.string()});
    EXPECT_EQ(checked.exit_code, 1);
    EXPECT_NE(checked.out.find("has no signature"), std::string::npos) << checked.out;
}

} // namespace
} // namespace mv::test
