// Webhook payloads (docs/NOTIFICATIONS.md, "Payloads"): the envelope and every field of
// each kind, always present.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "notify/payload.hpp"

namespace mv::notify {
namespace {

using config::NotifyEvent;
using nlohmann::json;

Event event_of(NotifyEvent kind) {
    Event event;
    event.kind = kind;
    event.time = SystemTime(std::chrono::seconds(1795000000));
    event.host = "gpu1";
    event.watch = "lab";
    event.model = "lab/dqn.pkl";
    return event;
}

std::vector<std::string> keys_of(const std::string& text) {
    std::vector<std::string> keys;
    const auto document = nlohmann::ordered_json::parse(text);
    for (auto it = document.begin(); it != document.end(); ++it) {
        keys.push_back(it.key());
    }
    return keys;
}

TEST(Payload, BackupCreatedCarriesTheVersionAndItsSizes) {
    Event event = event_of(NotifyEvent::backup_created);
    event.version = "1.0.1";
    event.trigger = "change";
    event.reason = "written and settled";
    event.path = "/srv/models/dqn.pkl";
    event.size_bytes = 812;
    event.stored_bytes = 771;
    event.duration = std::chrono::milliseconds(1500);
    const std::string text = build_payload(event, "d1", "0.1.0");
    EXPECT_EQ(json::parse(text), json::parse(R"({"event":"backup_created","delivery":"d1",
                  "time":"2026-11-18T11:06:40Z","host":"gpu1","modelvault":"0.1.0",
                  "watch":"lab","model":"lab/dqn.pkl","version":"1.0.1","trigger":"change",
                  "reason":"written and settled","path":"/srv/models/dqn.pkl",
                  "size_bytes":812,"stored_bytes":771,"duration_seconds":1.5})"));
    EXPECT_EQ(text.find('\n'), std::string::npos) << "one compact line";
}

TEST(Payload, EachKindHasItsFields) {
    using ::testing::ElementsAre;
    const std::vector<std::string> envelope = {"event", "delivery", "time", "host", "modelvault"};
    const auto with = [&](std::vector<std::string> more) {
        std::vector<std::string> all = envelope;
        all.insert(all.end(), more.begin(), more.end());
        return all;
    };
    EXPECT_EQ(keys_of(build_payload(event_of(NotifyEvent::backup_failed), "d", "v")),
              with({"watch", "model", "trigger", "reason", "error", "path"}));
    EXPECT_EQ(keys_of(build_payload(event_of(NotifyEvent::pruned), "d", "v")),
              with({"watch", "model", "removed", "reclaimed_bytes", "reason"}));
    EXPECT_EQ(keys_of(build_payload(event_of(NotifyEvent::restored), "d", "v")),
              with({"watch", "model", "version", "trigger", "path", "user"}));
    EXPECT_EQ(keys_of(build_payload(event_of(NotifyEvent::replica_failed), "d", "v")),
              with({"replica", "model", "error"}));
    EXPECT_EQ(keys_of(build_payload(event_of(NotifyEvent::disk_low), "d", "v")),
              with({"path", "free_bytes", "threshold_bytes", "reason"}));
}

TEST(Payload, PrunedListsTheRemovedVersions) {
    Event event = event_of(NotifyEvent::pruned);
    event.removed = {"1.0.0", "1.0.1"};
    event.reclaimed_bytes = 4096;
    const auto body = json::parse(build_payload(event, "d", "v"));
    EXPECT_EQ(body["removed"], json::array({"1.0.0", "1.0.1"}));
    EXPECT_EQ(body["reclaimed_bytes"], 4096);
}

TEST(Payload, BytesThatAreNotUtf8AreReplacedNotFatal) {
    Event event = event_of(NotifyEvent::backup_failed);
    event.error = "cannot read \xff\xfe";
    const auto body = json::parse(build_payload(event, "d", "v"));
    EXPECT_EQ(body["error"], "cannot read \xEF\xBF\xBD\xEF\xBF\xBD");
}

} // namespace
} // namespace mv::notify
