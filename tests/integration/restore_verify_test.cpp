// What the vault stores can be read with plain tar, comes back byte for byte, and
// damage is found and named.
#include <fstream>
#include <map>

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

std::uint32_t le32(const std::string& bytes, std::size_t at) {
    std::uint32_t value = 0;
    for (int i = 3; i >= 0; --i) {
        value = (value << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
    }
    return value;
}

// Flips a byte in the middle of chunk `hex` wherever a pack stores it (docs/FORMAT.md,
// "Packs": 48-byte entries before a 16-byte trailer; id, codec, offset, stored length).
std::size_t damage_chunk(const std::filesystem::path& vault, const std::string& hex) {
    std::string raw;
    for (std::size_t i = 0; i < 64; i += 2) {
        raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    std::size_t damaged = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(vault / "packs")) {
        if (!e.is_regular_file()) {
            continue;
        }
        const std::string pack = read_file(e.path());
        const std::size_t entries = le32(pack, pack.size() - 12);
        const std::size_t header = pack.size() - 16 - 48 * entries;
        for (std::size_t i = 0; i < entries; ++i) {
            const std::size_t entry = header + 48 * i;
            if (pack.compare(entry, 32, raw) != 0) {
                continue;
            }
            const auto middle = le32(pack, entry + 36) + le32(pack, entry + 40) / 2;
            std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(static_cast<std::streamoff>(middle));
            f.put(static_cast<char>(pack[middle] ^ 1));
            ++damaged;
        }
    }
    return damaged;
}

TEST_F(DaemonTest, ArchiveOpensWithSystemTarAndHashesMatchSha256sum) {
    start_daemon();
    write_model("agents/dqn.pkl", k_model);
    ASSERT_TRUE(wait_for_versions("lab/agents/dqn.pkl", 1));
    const auto shown = ctl_json({"show", "lab/agents/dqn.pkl"});
    // Format 2 keeps chunks, not archives: `export` writes the archive.
    const auto archive = dir / "dqn.tar.zst";
    ASSERT_EQ(ctl({"export", "lab/agents/dqn.pkl", "-o", archive.string()}).exit_code, 0);
    ASSERT_TRUE(std::filesystem::exists(archive));
    const auto listing = run({"tar", "--zstd", "-tf", archive.string()});
    ASSERT_EQ(listing.exit_code, 0) << listing.err;
    EXPECT_EQ(listing.out, "manifest.json\nmodel/dqn.pkl\nREADME.md\n");
    const auto out = dir / "tar-out";
    std::filesystem::create_directories(out);
    ASSERT_EQ(run({"tar", "--zstd", "-xf", archive.string(), "-C", out.string()}).exit_code, 0);
    EXPECT_EQ(sha256sum(out / "model/dqn.pkl"), sha256sum(models / "agents/dqn.pkl"));
    EXPECT_EQ(sha256sum(out / "model/dqn.pkl"), shown["files"][0]["sha256"]);
    // The manifest file is named by its own SHA-256.
    const auto manifests = std::filesystem::directory_iterator(vault / "manifests");
    const auto file = manifests->path();
    EXPECT_EQ(sha256sum(file) + ".json", file.filename().string());
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
    // Flip one byte in a chunk that only a.pkl has (the two share their first chunks:
    // they hold the same weights).
    std::map<std::string, nlohmann::json> chunks_of;
    for (const auto& e : std::filesystem::directory_iterator(vault / "manifests")) {
        const auto m = nlohmann::json::parse(read_file(e.path()));
        chunks_of[m["model"]] = m["files"][0]["chunks"];
    }
    const auto& a_chunks = chunks_of["lab/a.pkl"];
    const auto& b_chunks = chunks_of["lab/b.pkl"];
    std::string only_a;
    for (const auto& chunk : a_chunks) {
        if (std::find(b_chunks.begin(), b_chunks.end(), chunk) == b_chunks.end()) {
            only_a = chunk[0];
        }
    }
    ASSERT_FALSE(only_a.empty()) << a_chunks.dump();
    ASSERT_EQ(damage_chunk(vault, only_a), 1u);
    // The structure is intact (every chunk is there): reading the data finds the damage.
    EXPECT_EQ(ctl({"verify", "--all"}).exit_code, 0);
    const auto bad = ctl({"verify", "--all", "--read-data"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.out.find("CORRUPT  lab/a.pkl 1.0.0"), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find("ok       lab/b.pkl 1.0.0"), std::string::npos) << bad.out;
    const auto json = ctl_json({"verify", "--all", "--read-data"});
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
