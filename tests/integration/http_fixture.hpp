#pragma once
// A real daemon with an HTTP tokens file, and a real HTTP client to call it with
// (tests/integration/http_client.py): the base of the HTTP and TLS integration tests.

#include <regex>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {

inline constexpr const char* k_read_token = "r3ad-token-for-tests-0123";
inline constexpr const char* k_write_token = "wr1te-token-for-tests-0123";

class HttpFixture : public DaemonTest {
protected:
    /// Writes the tokens file (one read and one write token, mode 0600).
    void SetUp() override {
        DaemonTest::SetUp();
        write_file(tokens, std::string("read ") + k_read_token + "\nwrite " + k_write_token + "\n");
        ::chmod(tokens.c_str(), 0600);
    }

    /// Runs http_client.py with `args`; its JSON output.
    nlohmann::json client(std::vector<std::string> args) {
        args.insert(args.begin(), {"python3", script});
        const auto result = run(args, {{}, {}, "", std::chrono::seconds(120)});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return nlohmann::json::parse(result.out);
    }

    /// The page at `url` as headless Chromium renders it (its DOM after the scripts ran);
    /// fails the test when Chromium fails or the page logs to the console.
    std::string rendered_dom(const std::string& url) {
        const auto result = run({"chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                 "--user-data-dir=" + (dir / "chromium").string(),
                                 "--enable-logging=stderr", "--v=0", "--dump-dom", url},
                                {{}, {}, "", std::chrono::seconds(90)});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        EXPECT_EQ(result.err.find("CONSOLE"), std::string::npos) << result.err;
        return result.out;
    }

    /// The first group of `pattern` in the daemon's log, once it is there (within 20 s).
    std::string from_log(const std::string& pattern) {
        const std::regex wanted(pattern);
        std::smatch match;
        std::string log;
        EXPECT_TRUE(wait_until(
            [&] {
                log = daemon_log();
                return std::regex_search(log, match, wanted);
            },
            std::chrono::seconds(20)))
            << log;
        return match.size() > 1 ? match[1].str() : std::string();
    }

    std::filesystem::path tokens = dir / "http-tokens";
    std::string script = std::string(MV_SOURCE_DIR) + "/tests/integration/http_client.py";
};

} // namespace mv::test
