// A bad config never starts a half-working daemon: every problem is listed.
#include <fstream>

#include "tests/integration/daemon_fixture.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;

TEST_F(DaemonTest, BadConfigListsEveryBadKeyAndDoesNotStart) {
    std::ofstream(config_file) << R"({
      // three mistakes
      "vault": ")" << vault.string()
                               << R"(",
      "compression": {"codec": "brotli"},
      "watches": [
        {"name": "lab", "path": "/tmp", "retention": {"keep_daily": "seven"}},
        {"name": "lab", "path": "/srv", "setle": "2s"}
      ]
    })";
    const auto check = run({binary("modelvaultd"), "--check-config", config_file.string()});
    EXPECT_EQ(check.exit_code, 78);
    for (const char* key : {"compression.codec", "watches[0].retention.keep_daily",
                            "watches[1].setle", "watches[1].name"}) {
        EXPECT_NE(check.err.find(key), std::string::npos) << key << " missing in:\n" << check.err;
    }
    EXPECT_NE(check.err.find("\"seven\""), std::string::npos) << check.err;
    const auto start = run({binary("modelvaultd"), "--config", config_file.string()},
                           {.env = {}, .cwd = {}, .input = {}, .timeout = 20s});
    EXPECT_EQ(start.exit_code, 78);
    EXPECT_EQ(start.err, check.err);
    EXPECT_FALSE(std::filesystem::exists(vault));
    EXPECT_FALSE(std::filesystem::exists(socket));
}

// docs/CONFIG.md ("Errors") shows a bad file and what modelvaultd prints for it: keep it
// true.
TEST_F(DaemonTest, TheErrorsExampleOfConfigMdIsWhatTheDaemonPrints) {
    const std::string doc = read_file(std::filesystem::path(MV_SOURCE_DIR) / "docs/CONFIG.md");
    const auto errors = doc.find("\n## Errors");
    ASSERT_NE(errors, std::string::npos);
    const auto block = [&](const std::string& fence, std::size_t from) {
        const auto start = doc.find(fence + "\n", from);
        EXPECT_NE(start, std::string::npos) << fence;
        const auto body = start + fence.size() + 1;
        const auto end = doc.find("```\n", body);
        return std::pair{doc.substr(body, end - body), end + 4};
    };
    const auto [config_text, after_config] = block("```jsonc", errors);
    const auto [expected, after_output] = block("```", after_config);
    (void)after_output;
    write_file(config_file, config_text);
    const auto check = run({binary("modelvaultd"), "--check-config", config_file.string()});
    EXPECT_EQ(check.exit_code, 78);
    std::string shown = expected;
    const std::string documented_path = "/etc/modelvault/modelvault.json";
    shown.replace(shown.find(documented_path), documented_path.size(), config_file.string());
    EXPECT_EQ(check.err, shown);
}

TEST_F(DaemonTest, CheckConfigAcceptsAGoodFile) {
    std::ofstream(config_file) << config.dump();
    const auto check = run({binary("modelvaultd"), "--check-config", config_file.string()});
    EXPECT_EQ(check.exit_code, 0) << check.err;
    EXPECT_NE(check.out.find("valid (1 watch"), std::string::npos) << check.out;
}

TEST_F(DaemonTest, MissingConfigFileIsAClearError) {
    const auto start = run({binary("modelvaultd"), "--config", (dir / "absent.json").string()});
    EXPECT_EQ(start.exit_code, 78);
    EXPECT_NE(start.err.find("absent.json"), std::string::npos) << start.err;
}

} // namespace
} // namespace mv::test
