// Every metric modelvaultd exports (docs/NOTIFICATIONS.md): names follow Prometheus'
// conventions and values come from the events and the daemon's state.
#include <map>
#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/recorder.hpp"
#include "metrics/report.hpp"

namespace mv::metrics {
namespace {

using config::NotifyEvent;
using ::testing::HasSubstr;

notify::Event event(NotifyEvent kind, std::string trigger_or_reason) {
    notify::Event e;
    e.kind = kind;
    (kind == NotifyEvent::backup_failed ? e.reason : e.trigger) = std::move(trigger_or_reason);
    e.duration = std::chrono::milliseconds(2500);
    return e;
}

TEST(Recorder, CountsVersionsByTriggerFailuresByReasonAndDurations) {
    Recorder recorder({"change", "manual"}, {"io"});
    recorder.record(event(NotifyEvent::backup_created, "change"));
    recorder.record(event(NotifyEvent::backup_created, "change"));
    recorder.record(event(NotifyEvent::backup_failed, "corrupt"));
    recorder.record(event(NotifyEvent::restored, "rollback"));
    recorder.record(event(NotifyEvent::disk_low, ""));
    const auto counts = recorder.counts();
    EXPECT_EQ(counts.versions_by_trigger,
              (std::map<std::string, std::uint64_t>{{"change", 2}, {"manual", 0}}));
    EXPECT_EQ(counts.failures_by_reason,
              (std::map<std::string, std::uint64_t>{{"corrupt", 1}, {"io", 0}}));
    EXPECT_EQ(counts.durations.count(), 2u);
    EXPECT_DOUBLE_EQ(counts.durations.sum(), 5.0);
    EXPECT_EQ(counts.restores_by_trigger.at("rollback"), 1u);
    EXPECT_EQ(counts.disk_low_events, 1u);
}

TEST(Report, NamesFollowPrometheusConventions) {
    Recorder recorder({"change"}, {"io"});
    DaemonState state;
    state.version = "0.1.0";
    state.last_backup["lab"] = SystemTime(std::chrono::seconds(1795000000));
    state.hook_runs["on_backup"]["ok"] = 2;
    state.warn_free_below = 10;
    for (const Family& family : build_families(recorder.counts(), state)) {
        SCOPED_TRACE(family.name);
        EXPECT_TRUE(std::regex_match(family.name, std::regex("modelvault_[a-z_]+")));
        EXPECT_EQ(family.type == Type::counter, family.name.ends_with("_total"));
        EXPECT_FALSE(family.help.empty());
        EXPECT_EQ(family.name.find("milliseconds"), std::string::npos) << "base units only";
    }
}

TEST(Report, TheStateShowsUpInTheText) {
    Recorder recorder({"change"}, {"io"});
    recorder.record(event(NotifyEvent::backup_created, "change"));
    DaemonState state;
    state.version = "0.1.0";
    state.bytes_read = 812;
    state.bytes_deduplicated = 100;
    state.free_bytes = 5000;
    state.backups_queued = 2;
    state.disk_low = true;
    state.last_backup["lab"] = SystemTime(std::chrono::seconds(1795000000));
    state.webhook_deliveries["delivered"] = 4;
    const std::string text = metrics_text(recorder.counts(), state);
    EXPECT_THAT(text, HasSubstr("\nmodelvault_versions_created_total{trigger=\"change\"} 1\n"));
    EXPECT_THAT(text, HasSubstr("\nmodelvault_read_bytes_total 812\n"));
    EXPECT_THAT(text, HasSubstr("\nmodelvault_deduplicated_bytes_total 100\n"));
    EXPECT_THAT(text, HasSubstr("\nmodelvault_vault_free_bytes 5000\n"));
    EXPECT_THAT(text, HasSubstr("\nmodelvault_queue_jobs{queue=\"backup\",state=\"queued\"} 2\n"));
    EXPECT_THAT(text, HasSubstr("\nmodelvault_disk_low 1\n"));
    EXPECT_THAT(
        text, HasSubstr("\nmodelvault_last_backup_timestamp_seconds{watch=\"lab\"} 1795000000\n"));
    EXPECT_THAT(text, HasSubstr("\nmodelvault_webhook_deliveries_total{result=\"delivered\"} 4\n"));
    EXPECT_THAT(text, HasSubstr("\nmodelvault_backup_duration_seconds_bucket{le=\"2.5\"} 1\n"));
    EXPECT_THAT(text, HasSubstr("\nmodelvault_build_info{version=\"0.1.0\"} 1\n"));
    EXPECT_EQ(text.find("modelvault_vault_warn_free_below_bytes"), std::string::npos)
        << "only when configured";
}

} // namespace
} // namespace mv::metrics
