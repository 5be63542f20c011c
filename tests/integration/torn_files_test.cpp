// Never a torn version (issue 9): files written in pieces with pauses, replayed with the
// real daemon. Each version is either the complete file or flagged `incomplete`.
#include <thread>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class TornFileTest : public DaemonTest {
protected:
    // A small, finished zip (Python's zipfile) holding `text`.
    std::string test_zip(const std::string& text) {
        write_file(dir / "member.txt", text);
        const auto made = sh("cd '" + dir.path().string() +
                             "' && python3 -c \"import zipfile; z=zipfile.ZipFile('t.zip','w'); "
                             "z.write('member.txt'); z.close()\"");
        EXPECT_EQ(made.exit_code, 0) << made.err;
        return read_file(dir / "t.zip");
    }
    // Writes `content` to models/NAME with writers/pieces.py in the background.
    void write_in_pieces(const std::string& name, const std::string& content,
                         std::vector<std::string> options) {
        write_file(dir / "source", content);
        std::vector<std::string> argv = {
            "python3", std::string(MV_SOURCE_DIR) + "/tests/integration/writers/pieces.py",
            (dir / "source").string(), (models / name).string()};
        argv.insert(argv.end(), options.begin(), options.end());
        m_writer = std::make_unique<Child>(argv, dir / "writer.log");
    }
    bool writer_done(std::chrono::seconds timeout) {
        const auto code = m_writer->wait(timeout);
        return code && *code == 0;
    }
    // Every version of `model` holds `content` whole, or says it is incomplete.
    void expect_no_torn_version(const std::string& model, const std::string& content) {
        for (const auto& v : versions(model)) {
            const auto manifest = ctl_json({"show", model + "@" + v["version"].get<std::string>()});
            if (manifest["incomplete"].get<bool>()) {
                continue;
            }
            EXPECT_EQ(manifest["files"][0]["size"], content.size())
                << model << " " << v["version"] << " is a torn copy not flagged incomplete";
            const auto out = ctl({"restore", model + "@" + v["version"].get<std::string>(), "--to",
                                  (dir / ("r" + v["version"].get<std::string>())).string()});
            ASSERT_EQ(out.exit_code, 0) << out.err;
        }
    }

private:
    std::unique_ptr<Child> m_writer;
};

TEST_F(TornFileTest, PickleAppendedInPiecesWithAGapIsStoredWhole) {
    // The issue's first case: 64 KiB pieces 0.25 s apart, one gap longer than settle. The
    // recheck after the gap must not store the file while the writer is back at work,
    // even when the bytes written so far happen to end like a finished pickle.
    config["watches"][0]["settle"] = "1s";
    std::string payload(21 * 65536 - 4, '.');
    const std::size_t gap_boundary = 13 * 65536;
    std::string content = pickle(payload);
    content[gap_boundary - 1] = 'x'; // unfinished-looking at the gap, finished-looking later
    start_daemon();
    write_in_pieces("policy.pkl", content,
                    {"--piece", "65536", "--pause", "0.25", "--gap-after", "13", "--gap", "1.5"});
    ASSERT_TRUE(writer_done(60s));
    ASSERT_TRUE(wait_until(
        [&] {
            const auto v = versions("lab/policy.pkl");
            return !v.empty() && v[0]["size"] == content.size();
        },
        30s, 100ms))
        << versions().dump(2);
    expect_no_torn_version("lab/policy.pkl", content);
    EXPECT_TRUE(read_file(dir / "r1.0.0/policy.pkl") == content) << "the restored file differs";
}

TEST_F(TornFileTest, CheckpointWithoutAStructureWrittenWithLongPausesIsNeverStoredAsComplete) {
    // The issue's second case: a .ckpt written in pieces with pauses longer than settle.
    // Lightning and torch.save write zip files; these bytes are not one (yet), so they are
    // waited for and, if they never become one, stored flagged incomplete.
    config["watches"][0]["settle"] = "500ms";
    const std::string content = random_bytes(3 << 20, 9);
    start_daemon();
    write_in_pieces("epoch=1.ckpt", content,
                    {"--piece", std::to_string(1 << 20), "--pause", "1.2"});
    ASSERT_TRUE(writer_done(60s));
    ASSERT_TRUE(wait_for_versions("lab/epoch=1.ckpt", 1, 40s));
    expect_no_torn_version("lab/epoch=1.ckpt", content);
    const auto manifest = ctl_json({"show", "lab/epoch=1.ckpt"});
    EXPECT_TRUE(manifest["incomplete"].get<bool>()) << manifest.dump(2);
    EXPECT_EQ(manifest["files"][0]["size"], content.size());
}

TEST_F(TornFileTest, AnIncompleteVersionIsNeverBestAndIsPointedOut) {
    // A zip that never gets its end record, with a fine metric next to it: stored after
    // ten checks, flagged, and `best` stays where it was.
    config["watches"][0]["settle"] = "100ms";
    config["watches"][0]["triggers"] = {{"improvement", {{"metric", "/acc"}}}};
    start_daemon();
    write_model("net.metrics.json", R"({"acc": 0.5})");
    write_model("net.zip", test_zip("whole"));
    ASSERT_TRUE(wait_for_versions("lab/net.zip", 1));
    write_model("net.metrics.json", R"({"acc": 0.9})");
    write_model("net.zip", "PK\x03\x04 half a zip, never finished");
    ASSERT_TRUE(wait_for_versions("lab/net.zip", 2, 30s));
    const auto v = versions("lab/net.zip");
    EXPECT_TRUE(v[0]["incomplete"].get<bool>());
    EXPECT_EQ(v[0]["trigger"], "change");
    EXPECT_EQ(v[0]["version"], "1.0.1") << "an incomplete file is a patch, not an improvement";
    EXPECT_EQ(ctl_json({"show", "lab/net.zip@best"})["version"], "1.0.0");
    // list, show and status say so.
    const auto list = ctl({"list", "lab/net.zip"});
    EXPECT_NE(list.out.find("INCOMPLETE"), std::string::npos) << list.out;
    EXPECT_NE(ctl({"show", "lab/net.zip"}).out.find("failed its format's completeness check"),
              std::string::npos);
    const auto status = ctl_json({"status"});
    ASSERT_EQ(status["incomplete"].size(), 1u) << status.dump(2);
    EXPECT_EQ(status["incomplete"][0]["version"], "1.0.1");
    EXPECT_NE(ctl({"status"}).out.find("incomplete: lab/net.zip 1.0.1"), std::string::npos);
}

TEST_F(TornFileTest, AManualBackupWaitsForTheWriterAndGivesUpOnOneThatNeverStops) {
    config["watches"][0]["settle"] = "200ms";
    config["watches"][0]["triggers"] = {{"on_change", false}};
    start_daemon();
    // Asked for while the file is still being written: it answers once the file is whole.
    const std::string content = pickle(std::string(8 * 65536, 'w'));
    write_in_pieces("slow.pkl", content, {"--piece", "65536", "--pause", "0.15"});
    ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(models / "slow.pkl"); }, 10s));
    const auto waited = ctl({"backup", "lab/slow.pkl"});
    ASSERT_EQ(waited.exit_code, 0) << waited.err;
    ASSERT_TRUE(writer_done(30s));
    const auto stored = ctl_json({"show", "lab/slow.pkl"});
    EXPECT_EQ(stored["files"][0]["size"], content.size()) << stored.dump(2);
    EXPECT_FALSE(stored["incomplete"].get<bool>());
    // A writer that keeps going past ten settle periods (at least 5 s): refused, nothing stored.
    write_in_pieces("endless.pkl", pickle(std::string(80 * 4096, 'e')),
                    {"--piece", "4096", "--pause", "0.1"});
    ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(models / "endless.pkl"); }, 10s));
    const auto refused = ctl({"backup", "lab/endless.pkl"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("is still being written"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("run the backup again when its writer is done"), std::string::npos)
        << refused.err;
    EXPECT_TRUE(versions("lab/endless.pkl").empty());
    ASSERT_TRUE(writer_done(30s));
}

} // namespace
} // namespace mv::test
