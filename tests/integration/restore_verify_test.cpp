// What the vault stores can be read with plain tar, comes back byte for byte, and
// damage is found and named.
#include <fstream>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

const std::string k_weights = random_bytes(3 << 20, 11);
const std::string k_model = pickle(k_weights);

std::string sha256sum(const std::filesystem::path& file) {
    const auto result = run({"sha256sum", file.string()});
    return result.out.substr(0, 64);
}

TEST_F(DaemonTest, ArchiveOpensWithSystemTarAndHashesMatchSha256sum) {
    start_daemon();
    write_model("agents/dqn.pkl", k_model);
    ASSERT_TRUE(wait_for_versions("lab/agents/dqn.pkl", 1));
    const auto manifest = ctl_json({"show", "lab/agents/dqn.pkl"});
    const auto archive =
        vault / "models/lab/agents/dqn.pkl" / manifest["archive"]["file"].get<std::string>();
    ASSERT_TRUE(std::filesystem::exists(archive));
    const auto listing = run({"tar", "--zstd", "-tf", archive.string()});
    ASSERT_EQ(listing.exit_code, 0) << listing.err;
    EXPECT_EQ(listing.out, "manifest.json\nmodel/dqn.pkl\nREADME.md\n");
    const auto out = dir / "tar-out";
    std::filesystem::create_directories(out);
    ASSERT_EQ(run({"tar", "--zstd", "-xf", archive.string(), "-C", out.string()}).exit_code, 0);
    EXPECT_EQ(sha256sum(out / "model/dqn.pkl"), sha256sum(models / "agents/dqn.pkl"));
    EXPECT_EQ(sha256sum(out / "model/dqn.pkl"), manifest["files"][0]["sha256"]);
    EXPECT_EQ(sha256sum(archive), manifest["archive"]["sha256"]);
    EXPECT_EQ(std::filesystem::file_size(archive), manifest["archive"]["size"]);
}

TEST_F(DaemonTest, RestoreGivesIdenticalBytesAndRefusesToOverwrite) {
    start_daemon();
    write_model("dqn.pkl", k_model);
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    write_model("dqn.pkl", pickle(k_weights + "v2"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 2));
    auto out = ctl({"restore", "lab/dqn.pkl@1.0.0", "--to", (dir / "r").string()});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    EXPECT_EQ(read_file(dir / "r/dqn.pkl"), k_model);
    // Existing files stay untouched without --force ...
    out = ctl({"restore", "lab/dqn.pkl", "--to", (dir / "r").string()});
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_NE(out.err.find("already exists"), std::string::npos) << out.err;
    EXPECT_EQ(read_file(dir / "r/dqn.pkl"), k_model);
    // ... and are replaced with it.
    out = ctl({"restore", "lab/dqn.pkl", "--to", (dir / "r").string(), "--force"});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    EXPECT_EQ(read_file(dir / "r/dqn.pkl"), pickle(k_weights + "v2"));
    // No temporary files are left behind.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir / "r")) {
        ++entries;
    }
    EXPECT_EQ(entries, 1u);
    // A selector that matches nothing says what exists.
    out = ctl({"restore", "lab/dqn.pkl@7", "--to", (dir / "r2").string()});
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_NE(out.err.find("1.0.0–1.0.1 (2 versions)"), std::string::npos) << out.err;
}

TEST_F(DaemonTest, FlippedByteMakesVerifyAllFailAndNameTheVersion) {
    start_daemon();
    write_model("a.pkl", k_model);
    write_model("b.pkl", pickle(k_weights + "b"));
    ASSERT_TRUE(wait_for_versions("lab/a.pkl", 1));
    ASSERT_TRUE(wait_for_versions("lab/b.pkl", 1));
    auto ok = ctl({"verify", "--all"});
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    EXPECT_NE(ok.out.find("2 versions verified, 0 corrupt"), std::string::npos) << ok.out;
    // Flip one byte in the middle of a.pkl's archive.
    const auto manifest = ctl_json({"show", "lab/a.pkl"});
    const auto archive =
        vault / "models/lab/a.pkl" / manifest["archive"]["file"].get<std::string>();
    {
        std::fstream f(archive, std::ios::in | std::ios::out | std::ios::binary);
        const auto middle = static_cast<std::streamoff>(std::filesystem::file_size(archive) / 2);
        f.seekg(middle);
        char c = 0;
        f.read(&c, 1);
        c = static_cast<char>(c ^ 1);
        f.seekp(middle);
        f.write(&c, 1);
    }
    const auto bad = ctl({"verify", "--all"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.out.find("CORRUPT  lab/a.pkl 1.0.0"), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find("ok       lab/b.pkl 1.0.0"), std::string::npos) << bad.out;
    const auto json = ctl_json({"verify", "--all"});
    EXPECT_EQ(json["failed"], 1);
    // Restoring the damaged version fails, names it, and writes nothing.
    const auto restore = ctl({"restore", "lab/a.pkl", "--to", (dir / "r/deeper").string()});
    EXPECT_EQ(restore.exit_code, 1);
    EXPECT_NE(restore.err.find("lab/a.pkl 1.0.0"), std::string::npos) << restore.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "r")) << "not even the folders it made";
}

TEST_F(DaemonTest, OddFileNamesSurviveTheRoundTrip) {
    start_daemon();
    const std::vector<std::string> names = {"with space.pkl", "new\nline.pkl", "bad\xff\xfe.pkl",
                                            "back\\slash.pkl", "ümlaut-模型.pkl"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        write_model(names[i], pickle(k_weights.substr(0, 1000) + std::to_string(i)));
    }
    ASSERT_TRUE(wait_until([&] { return versions().size() == names.size(); }))
        << versions().dump(2);
    const std::vector<std::string> shown = {"lab/with space.pkl", "lab/new\\x0aline.pkl",
                                            "lab/bad\\xff\\xfe.pkl", "lab/back\\\\slash.pkl",
                                            "lab/ümlaut-模型.pkl"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto target = dir / ("r" + std::to_string(i));
        const auto out = ctl({"restore", shown[i], "--to", target.string()});
        ASSERT_EQ(out.exit_code, 0) << shown[i] << ": " << out.err;
        EXPECT_EQ(read_file(target / names[i]),
                  pickle(k_weights.substr(0, 1000) + std::to_string(i)));
    }
    // A raw newline typed on the command line means the same model as its escape.
    EXPECT_EQ(ctl({"show", "lab/new\nline.pkl"}).exit_code, 0);
    EXPECT_EQ(ctl({"verify", "--all"}).exit_code, 0);
}

} // namespace
} // namespace mv::test
