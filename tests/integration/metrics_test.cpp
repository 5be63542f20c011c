// The Prometheus textfile through the real daemon (docs/NOTIFICATIONS.md, "Prometheus
// metrics"): written atomically, accepted by `promtool check metrics` (Debian package
// prometheus), and its numbers are the daemon's own counters.
#include <sys/stat.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;

// The value of the sample `series` (name and labels, exactly as written), or -1.
double sample(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) {
        return -1;
    }
    return std::stod(text.substr(at + series.size() + 2));
}

TEST_F(DaemonTest, MetricsTextfilePassesPromtoolAndMatchesTheCounters) {
    const auto textfile = dir / "node-exporter" / "modelvault.prom";
    std::filesystem::create_directories(textfile.parent_path());
    config["metrics"] = {{"textfile", textfile.string()}};
    config["warn_free_below"] = "1TiB"; // the test's file system has less: disk_low
    config["watches"][0]["triggers"] = {{"on_change", false}};
    write_model("a.pkl", pickle("weights-a"));
    write_model("b.pkl", pickle("weights-b"));
    start_daemon();
    EXPECT_EQ(ctl({"backup", "lab/a.pkl"}).exit_code, 0);
    EXPECT_EQ(ctl({"backup", "lab/b.pkl"}).exit_code, 0);
    make_writes_fail("c.pkl");
    write_model("c.pkl", pickle("weights-c"));
    EXPECT_EQ(ctl({"backup", "lab/c.pkl"}).exit_code, 1);
    writes_succeed_again("c.pkl");
    std::string text;
    ASSERT_TRUE(wait_until(
        [&] {
            text = std::filesystem::exists(textfile) ? read_file(textfile) : "";
            return sample(text, "modelvault_versions_created_total{trigger=\"manual\"}") == 2 &&
                   sample(text, "modelvault_backup_failures_total{reason=\"io\"}") == 1;
        },
        30s, 100ms))
        << text << daemon_log();
    CommandOptions with_text;
    with_text.input = text;
    const auto check = run({"promtool", "check", "metrics"}, with_text);
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err << text;
    // The same numbers as `status`.
    const auto status = ctl_json({"status"});
    EXPECT_EQ(sample(text, "modelvault_vault_versions"), status["vault"]["versions"].get<double>());
    EXPECT_EQ(sample(text, "modelvault_read_bytes_total"),
              status["counters"]["bytes_read"].get<double>());
    EXPECT_EQ(sample(text, "modelvault_stored_bytes_total"),
              status["counters"]["bytes_stored"].get<double>());
    EXPECT_EQ(sample(text, "modelvault_backup_duration_seconds_count"), 2);
    EXPECT_GT(sample(text, "modelvault_last_backup_timestamp_seconds{watch=\"lab\"}"), 1.7e9);
    EXPECT_GT(sample(text, "modelvault_vault_free_bytes"), 0);
    EXPECT_EQ(sample(text, "modelvault_disk_low"), 1);
    EXPECT_EQ(status["vault"]["disk_low"], true);
    EXPECT_NE(daemon_log().find("below warn_free_below"), std::string::npos);
    // No temporary file is left next to it.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator(textfile.parent_path())) {
        ++files;
    }
    EXPECT_EQ(files, 1u);
}

} // namespace
} // namespace mv::test
