// Where a version's metrics come from, and what the late-metrics watch compares with
// (daemon/metrics_source.hpp; docs/CONFIG.md, "Metrics that belong to the weights"): the
// state each metrics file was read in when the version was planned — none for a file
// still settling, so that it is read once it settles, however long the version's write.
#include <gtest/gtest.h>

#include "daemon/metrics_source.hpp"
#include "tests/lib/fake_clock.hpp"
#include "tests/lib/temp_dir.hpp"

namespace mv::daemon {
namespace {

using namespace std::chrono_literals;

class MetricsSourceTest : public ::testing::Test {
protected:
    MetricsSourceTest() {
        watch.name = "lab";
        watch.path = dir / "models";
        watch.settle = 2s;
        watch.triggers.improvement = config::ImprovementTrigger{};
        watch.triggers.improvement->metric = "/eval/win_rate";
        test::write_file(dir / "models/agent.pkl", "weights");
    }
    // The metrics for agent.pkl, as a manual backup (no waiting) planned at `now`.
    GatheredMetrics gather(SystemTime now) {
        return gather_metrics({watch, "lab/agent.pkl", "agent.pkl", nullptr, true, true, now},
                              *vault);
    }

    test::TempDir dir{"metrics-source"};
    config::Watch watch;
    // File times are real: the clock is set from the real one where a test needs it.
    test::FakeClock clock{std::chrono::system_clock::now()};
    std::unique_ptr<vault::Vault> vault =
        vault::Vault::open({dir / "vault", {}, true, "test-host"}, clock);
};

TEST_F(MetricsSourceTest, AFileStillSettlingIsLateWithNoStateSeen) {
    test::write_file(dir / "models/agent.metrics.json", R"({"eval": {"win_rate": 0.5}})");
    const auto gathered = gather(std::chrono::system_clock::now());
    EXPECT_TRUE(gathered.missing);
    ASSERT_EQ(gathered.late_files, std::vector<std::string>{"agent.metrics.json"});
    ASSERT_EQ(gathered.late_states.size(), 1u);
    EXPECT_FALSE(gathered.late_states[0].has_value()) << gathered.why;
}

TEST_F(MetricsSourceTest, AFileReadWithoutTheMetricIsLateWithTheStateItWasReadIn) {
    test::write_file(dir / "models/agent.metrics.json", R"({"eval": {"loss": 0.1}})");
    const auto state = watcher::file_state(watch.path, "agent.metrics.json");
    ASSERT_TRUE(state);
    const auto gathered = gather(std::chrono::system_clock::now() + 1h);
    EXPECT_TRUE(gathered.missing);
    ASSERT_EQ(gathered.late_states.size(), 1u);
    EXPECT_EQ(gathered.late_states[0], state);
}

TEST_F(MetricsSourceTest, AFileThatIsNotThereIsLateWithNoState) {
    const auto gathered = gather(std::chrono::system_clock::now());
    ASSERT_EQ(gathered.late_files, std::vector<std::string>{"agent.metrics.json"});
    EXPECT_FALSE(gathered.late_states.at(0).has_value());
}

TEST_F(MetricsSourceTest, MetricsFoundLeaveNothingLate) {
    test::write_file(dir / "models/agent.metrics.json", R"({"eval": {"win_rate": 0.5}})");
    const auto gathered = gather(std::chrono::system_clock::now() + 1h);
    EXPECT_FALSE(gathered.missing) << gathered.why;
    EXPECT_EQ(gathered.document["eval"]["win_rate"], 0.5);
    EXPECT_TRUE(gathered.late_files.empty());
    EXPECT_TRUE(gathered.late_states.empty());
}

} // namespace
} // namespace mv::daemon
