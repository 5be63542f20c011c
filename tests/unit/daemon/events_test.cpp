// The events the daemon publishes for a version (docs/NOTIFICATIONS.md).
#include <gtest/gtest.h>

#include "daemon/events.hpp"

namespace mv::daemon {
namespace {

TEST(EventsTest, ACreatedVersionReportsThePackBytesItAdded) {
    // Format 2 (docs/FORMAT.md, "Manifests"): a version has no archive; what it cost the
    // vault is storage.new_bytes.
    config::Watch watch;
    watch.name = "lab";
    watch.path = "/srv/models";
    vault::Manifest manifest;
    manifest.model = "lab/dqn.pkl";
    vault::FileEntry file;
    file.path = "dqn.pkl";
    file.size = 812;
    manifest.files.push_back(file);
    manifest.storage.new_bytes = 771;
    const auto event =
        created_event(watch, "dqn.pkl", manifest, std::chrono::milliseconds(1500), SystemTime{});
    EXPECT_EQ(event.size_bytes, 812u);
    EXPECT_EQ(event.stored_bytes, 771u);
}

} // namespace
} // namespace mv::daemon
