// `modelvaultctl status` for humans, from a status result as docs/PROTOCOL.md shows it:
// each step of the text, and the whole in its order.
#include <gtest/gtest.h>

#include "ctl/status_view.hpp"

namespace mv::ctl {
namespace {

using nlohmann::json;

SystemTime at(const char* utc) {
    return *parse_time(utc);
}

const SystemTime k_now = at("2026-11-22T10:00:00Z");

json sample_status() {
    return json::parse(R"({
      "daemon": {"version": "0.1.0", "pid": 123, "started": "2026-11-22T09:00:00Z",
                 "uptime_seconds": 3600, "config": "/etc/modelvault/modelvault.json",
                 "socket": "/run/modelvault/modelvault.sock"},
      "vault": {"path": "/var/lib/modelvault", "models": 3, "versions": 12,
                "stored_bytes": 2048, "free_bytes": 1048576, "total_bytes": 91011,
                "disk_low": false, "warn_free_below": null, "format": 2, "chunks": 840,
                "packs": 31,
                "damaged": [{"manifest": "/v/manifests/3f.json", "model": "lab/dqn.pkl",
                             "version": "1.0.2", "problem": "its content does not hash"}]},
      "watches": [{"name": "lab", "path": "/srv/models", "state": "watching", "message": "",
                   "directories": 5, "pending": 0, "models": 3,
                   "logical_bytes": 40960, "stored_bytes": 9000,
                   "last_backup": {"model": "lab/dqn.pkl", "version": "1.0.1",
                                   "time": "2026-11-22T09:57:00Z"},
                   "next_run": null},
                  {"name": "cold", "path": "/srv/cold", "state": "missing",
                   "message": "the path does not exist yet", "directories": 0, "pending": 0,
                   "models": 0, "last_backup": null, "next_run": "2026-11-22T12:00:00Z"}],
      "replicas": [],
      "queue": {"queued": ["lab/a.pkl"], "running": ["lab/b.pkl", "lab/c.pkl"],
                "verifying": []},
      "counters": {"versions_written": 5, "unchanged": 2, "failures": 0, "bytes_read": 1234,
                   "bytes_stored": 1000, "bytes_deduplicated": 0, "pruned_versions": 0,
                   "reclaimed_bytes": 0},
      "rolled_back": [{"model": "lab/dqn.pkl", "current": "1.0.0", "latest": "1.0.5"}],
      "incomplete": [{"model": "lab/broken.zip", "version": "1.0.0"}],
      "last_error": {"message": "disk full", "time": "2026-11-22T08:00:00Z"}
    })");
}

TEST(StatusView, DaemonAndVault) {
    EXPECT_EQ(daemon_and_vault_lines(sample_status()),
              "modelvaultd 0.1.0 (pid 123), up 1 h 0 min, config "
              "/etc/modelvault/modelvault.json\n"
              "vault  /var/lib/modelvault: 3 model(s), 12 version(s), 2.0 KiB stored in 840 "
              "chunks and 31 packs, 1.0 MiB free\n");
    json defaults = sample_status();
    defaults["daemon"]["config"] = "";
    EXPECT_NE(daemon_and_vault_lines(defaults).find("config (defaults)\n"), std::string::npos);
}

TEST(StatusView, WatchTable) {
    EXPECT_EQ(watch_table(sample_status()["watches"], k_now),
              "WATCH  STATE                                  MODELS  LOGICAL  STORED   LAST "
              "BACKUP                    NEXT RUN  PATH\n"
              "lab    watching                               3       40 KiB   8.8 KiB  "
              "lab/dqn.pkl 1.0.1 (3 min ago)  -         /srv/models\n"
              "cold   missing (the path does not exist yet)  0       0 B      0 B      -      "
              "                        in 2 h    /srv/cold\n");
    EXPECT_EQ(watch_table(json::array(), k_now), "no watches configured\n");
}

TEST(StatusView, Queue) {
    EXPECT_EQ(queue_line(sample_status()["queue"]),
              "\nqueue  2 running (lab/b.pkl, lab/c.pkl), 1 waiting (lab/a.pkl)\n");
    EXPECT_EQ(
        queue_line(
            {{"queued", json::array()}, {"running", json::array()}, {"verifying", json::array()}}),
        "\nqueue  idle\n");
    EXPECT_EQ(
        queue_line(
            {{"queued", json::array()}, {"running", json::array()}, {"verifying", {"lab/a.pkl"}}}),
        "\nqueue  0 running, 0 waiting, verifying\n");
}

TEST(StatusView, Replicas) {
    const json replicas = json::parse(R"([
      {"name": "offsite", "where": "s3://lab/t1/", "pending_versions": 1,
       "pending_bytes": 33554432, "oldest_pending_age_seconds": 40,
       "last_success": null, "last_attempt": "2026-11-22T09:58:00Z",
       "last_error": "PUT failed", "last_error_kind": "unreachable"},
      {"name": "second", "where": "s3://b/", "pending_versions": 0, "pending_bytes": 0,
       "oldest_pending_age_seconds": null, "last_success": "2026-11-22T07:00:00Z",
       "last_attempt": "2026-11-22T07:00:00Z", "last_error": null, "last_error_kind": null}
    ])");
    EXPECT_EQ(replica_lines(replicas, k_now),
              "replica offsite (s3://lab/t1/): 1 version(s), 32 MiB not yet off-site, oldest "
              "40.0 s old; last success never\n"
              "  last error (unreachable, 2 min ago): PUT failed\n"
              "replica second (s3://b/): up to date; last success 3 h ago\n");
}

TEST(StatusView, Catalog) {
    EXPECT_EQ(catalog_line(json(), k_now), "");
    const json catalog = {{"database", "postgresql://db/models"},
                          {"pending_events", 2},
                          {"rejected_events", 1},
                          {"last_success", nullptr},
                          {"last_attempt", "2026-11-22T09:58:00Z"},
                          {"last_error", "connection refused"}};
    EXPECT_EQ(catalog_line(catalog, k_now),
              "catalog (postgresql://db/models): 2 event(s) waiting; last success never\n"
              "  last error (2 min ago): connection refused\n"
              "  1 event(s) set aside that cannot be sent (docs/catalog.md)\n");
}

TEST(StatusView, CountersNamePrunedVersionsOnlyWhenThereAreSome) {
    json counters = sample_status()["counters"];
    EXPECT_EQ(counters_line(counters),
              "since start: 5 version(s) written, 2 unchanged, 0 failure(s), 1.2 KiB read\n");
    counters["pruned_versions"] = 4;
    counters["reclaimed_bytes"] = 11599;
    EXPECT_EQ(counters_line(counters), "since start: 5 version(s) written, 2 unchanged, 0 "
                                       "failure(s), 1.2 KiB read, 4 pruned (11 KiB freed)\n");
}

TEST(StatusView, AttentionLines) {
    EXPECT_EQ(attention_lines(sample_status(), k_now),
              "rolled back: lab/dqn.pkl is at 1.0.0 (latest 1.0.5)\n"
              "DAMAGED manifest /v/manifests/3f.json: its content does not hash; its version is "
              "hidden until it is repaired and nothing is collected meanwhile (`modelvaultctl "
              "verify --all` lists it; docs/FORMAT.md)\n"
              "incomplete: lab/broken.zip 1.0.0 failed its format's structural check when it "
              "was stored (never best; `modelvaultctl show` says why)\n"
              "last error (2 h ago): disk full\n");
    json quiet = sample_status();
    quiet["rolled_back"] = json::array();
    quiet["incomplete"] = json::array();
    quiet["vault"]["damaged"] = json::array();
    quiet["last_error"] = nullptr;
    EXPECT_EQ(attention_lines(quiet, k_now), "");
}

TEST(StatusView, TheWholeTextInItsOrder) {
    const json status = sample_status();
    EXPECT_EQ(status_text(status, k_now),
              daemon_and_vault_lines(status) + "\n" + watch_table(status["watches"], k_now) +
                  queue_line(status["queue"]) + counters_line(status["counters"]) +
                  attention_lines(status, k_now));
    json with_catalog = status;
    with_catalog["catalog"] = {{"database", "db"},
                               {"pending_events", 0},
                               {"rejected_events", 0},
                               {"last_success", nullptr},
                               {"last_error", nullptr}};
    EXPECT_NE(status_text(with_catalog, k_now)
                  .find("1 waiting (lab/a.pkl)\ncatalog (db): up to date; last success never\n"
                        "since start:"),
              std::string::npos);
}

} // namespace
} // namespace mv::ctl
