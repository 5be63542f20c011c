// Nothing accepted that does nothing (docs/CONFIG.md): every key the reference documents
// either changes what the daemon is configured to do or is refused as not available yet.
// The keys are read from docs/CONFIG.md itself, so a key documented tomorrow fails this
// test until a case below says what it does.
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/config/problems.hpp"

namespace mv::config {
namespace {

using namespace std::chrono_literals;
using test::parse_ok;
using test::problems_of;
using ::testing::HasSubstr;

// The full key paths docs/CONFIG.md documents in its key tables ("| key | ..." tables
// under "Top-level keys" and "Watch keys"): `compression.level`, `watches[].settle`,
// `watches[].triggers.schedule.every`. A table belongs to the nearest "### `key`"
// heading, or to a "**`key`**" paragraph below it.
std::set<std::string> documented_keys() {
    std::ifstream in(std::string(MV_SOURCE_DIR) + "/docs/CONFIG.md");
    EXPECT_TRUE(in.good()) << "cannot read docs/CONFIG.md";
    const std::regex heading2(R"(^## (.*)$)");
    const std::regex heading3(R"(^### `([a-z0-9_]+)`)");
    const std::regex paragraph(R"(^\*\*`([a-z0-9_]+)`\*\*)");
    const std::regex table_header(R"(^\| key \|)");
    const std::regex row(R"(^\| (`[a-z0-9_]+`(, `[a-z0-9_]+`)*) \|)");
    const std::regex name(R"(`([a-z0-9_]+)`)");
    std::set<std::string> keys;
    std::string base;
    std::string section;
    std::string sub;
    bool in_key_table = false;
    bool collecting = false;
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
        if (std::regex_search(line, m, heading2)) {
            collecting = m[1] == "Top-level keys" || m[1] == "Watch keys";
            base = m[1] == "Watch keys" ? "watches[]." : "";
            section.clear();
            sub.clear();
        } else if (std::regex_search(line, m, heading3)) {
            section = m[1].str() + ".";
            sub.clear();
        } else if (std::regex_search(line, m, paragraph)) {
            sub = m[1].str() + ".";
        }
        if (!line.starts_with("|")) {
            in_key_table = false;
            continue;
        }
        if (std::regex_search(line, table_header)) {
            in_key_table = true;
            continue;
        }
        if (!collecting || !in_key_table || !std::regex_search(line, m, row)) {
            continue;
        }
        const std::string cell = m[1];
        for (std::sregex_iterator it(cell.begin(), cell.end(), name), end; it != end; ++it) {
            keys.insert(base + section + sub + (*it)[1].str());
        }
    }
    return keys;
}

// What a key does: `effect` checks that the config parsed from `text` carries the value
// (the daemon reads it from there); without `effect` the key must be refused as not
// available yet.
struct KeyCase {
    std::string text;
    std::function<bool(const Config&)> effect;
};

// A config with one watch whose JSON object has `members` added.
std::string watch_with(const std::string& members) {
    return R"({"watches": [{"name": "w", "path": "/srv/w", )" + members + "}]}";
}

// A config with one replica whose JSON object has `members` appended.
std::string replica_with(const std::string& members) {
    return R"({"replicas": [{"name": "offsite", "s3": {"endpoint": "http://h:7480", "bucket": "b-1", )"
           R"("prefix": "t1/", "region": "eu-west-1", "credentials_file": "/etc/c"})" +
           members + "}]}";
}

const Watch& the_watch(const Config& c) {
    return c.watches.at(0);
}

const std::map<std::string, KeyCase>& key_cases() {
    // clang-format off
    static const std::map<std::string, KeyCase> k_cases = {
        {"vault", {R"({"vault": "/srv/vault"})", [](const Config& c) { return c.vault == "/srv/vault"; }}},
        {"socket", {R"({"socket": "/run/x.sock"})", [](const Config& c) { return c.socket == "/run/x.sock"; }}},
        {"log_level", {R"({"log_level": "debug"})", [](const Config& c) { return c.log_level == LogLevel::debug; }}},
        {"compression", {R"({"compression": {"codec": "gzip"}})", [](const Config& c) { return c.compression.codec == Codec::gzip; }}},
        {"compression.codec", {R"({"compression": {"codec": "xz"}})", [](const Config& c) { return c.compression.codec == Codec::xz; }}},
        {"compression.level", {R"({"compression": {"level": 9}})", [](const Config& c) { return c.compression.level == 9; }}},
        {"compression.byte_grouping", {R"({"compression": {"byte_grouping": false}})", [](const Config& c) { return !c.compression.byte_grouping; }}},
        {"compression.threads", {R"({"compression": {"threads": 2}})", [](const Config& c) { return c.compression.threads == 2; }}},
        {"encryption", {R"({"encryption": {"key_file": "/etc/k"}})", [](const Config& c) { return c.encryption.has_value(); }}},
        {"encryption.key_file", {R"({"encryption": {"key_file": "/etc/k"}})", [](const Config& c) { return c.encryption->key_file == "/etc/k"; }}},
        {"verify_after_write", {R"({"verify_after_write": false})", [](const Config& c) { return !c.verify_after_write; }}},
        {"io_priority", {R"({"io_priority": "normal"})", [](const Config& c) { return c.io_priority == IoPriority::normal; }}},
        {"access", {R"({"access": {"read": ["bob"]}})", [](const Config& c) { return c.access.read == std::vector<std::string>{"bob"}; }}},
        {"access.socket_group", {R"({"access": {"socket_group": "ml"}})", [](const Config& c) { return c.access.socket_group == "ml"; }}},
        {"access.read", {R"({"access": {"read": ["@ml"]}})", [](const Config& c) { return c.access.read == std::vector<std::string>{"@ml"}; }}},
        {"access.write", {R"({"access": {"write": ["alice"]}})", [](const Config& c) { return c.access.write == std::vector<std::string>{"alice"}; }}},
        {"hooks", {R"({"hooks": {"on_backup": ["/bin/true"]}})", [](const Config& c) { return c.hooks.on_backup == std::vector<std::string>{"/bin/true"}; }}},
        {"hooks.on_backup", {R"({"hooks": {"on_backup": ["/bin/true"]}})", [](const Config& c) { return c.hooks.on_backup == std::vector<std::string>{"/bin/true"}; }}},
        {"hooks.on_failure", {R"({"hooks": {"on_failure": ["/bin/true"]}})", [](const Config& c) { return c.hooks.on_failure == std::vector<std::string>{"/bin/true"}; }}},
        {"hooks.on_prune", {R"({"hooks": {"on_prune": ["/bin/true"]}})", [](const Config& c) { return c.hooks.on_prune == std::vector<std::string>{"/bin/true"}; }}},
        {"hooks.on_restore", {R"({"hooks": {"on_restore": ["/bin/true"]}})", [](const Config& c) { return c.hooks.on_restore == std::vector<std::string>{"/bin/true"}; }}},
        {"hooks.timeout", {R"({"hooks": {"timeout": "5s"}})", [](const Config& c) { return c.hooks.timeout == 5s; }}},
        {"hooks.user", {R"({"hooks": {"user": "alice"}})", [](const Config& c) { return c.hooks.user == "alice"; }}},
        {"webhooks", {R"({"webhooks": [{"url": "https://h.example/x"}]})", [](const Config& c) { return c.webhooks.size() == 1 && c.webhooks[0].url == "https://h.example/x"; }}},
        {"metrics", {R"({"metrics": {"textfile": "/var/lib/m.prom"}})", [](const Config& c) { return c.metrics && c.metrics->textfile == "/var/lib/m.prom"; }}},
        {"warn_free_below", {R"({"warn_free_below": "1GiB"})", [](const Config& c) { return c.warn_free_below == std::uint64_t{1} << 30; }}},
        {"dbus", {R"({"dbus": {"bus": "session"}})", [](const Config& c) { return c.dbus && c.dbus->bus == "session"; }}},
        {"reports", {R"({"reports": {"at": "06:30", "dir": "/var/lib/r"}})", [](const Config& c) { return c.reports && c.reports->at.hour == 6 && c.reports->at.minute == 30 && c.reports->dir == "/var/lib/r"; }}},
        {"http", {R"({"http": {"listen": "127.0.0.1:9000", "tokens_file": "/etc/t"}})", [](const Config& c) { return c.http && c.http->port == 9000; }}},
        {"http.listen", {R"({"http": {"listen": "[::1]:8471", "tokens_file": "/etc/t"}})", [](const Config& c) { return c.http && c.http->host == "::1" && c.http->port == 8471; }}},
        {"http.tokens_file", {R"({"http": {"listen": "127.0.0.1:8470", "tokens_file": "t"}})", [](const Config& c) { return c.http && c.http->tokens_file == "/etc/modelvault/t"; }}},
        {"http.tls_cert", {R"({"http": {"listen": "127.0.0.1:8470", "tokens_file": "/etc/t", "tls_cert": "/etc/c", "tls_key": "/etc/k"}})", [](const Config& c) { return c.http && c.http->tls_cert == "/etc/c"; }}},
        {"http.tls_key", {R"({"http": {"listen": "127.0.0.1:8470", "tokens_file": "/etc/t", "tls_cert": "/etc/c", "tls_key": "/etc/k"}})", [](const Config& c) { return c.http && c.http->tls_key == "/etc/k"; }}},
        {"replicas", {replica_with(""), [](const Config& c) { return c.replicas.size() == 1; }}},
        {"replicas.name", {replica_with(""), [](const Config& c) { return c.replicas.at(0).name == "offsite"; }}},
        {"replicas.s3", {replica_with(""), [](const Config& c) { return c.replicas.at(0).s3.bucket == "b-1"; }}},
        {"replicas.bandwidth", {replica_with(R"(, "bandwidth": "2MiB/s")"), [](const Config& c) { return c.replicas.at(0).bandwidth == 2u << 20; }}},
        {"replicas.keep_removed", {replica_with(R"(, "keep_removed": "2d")"), [](const Config& c) { return c.replicas.at(0).keep_removed == std::chrono::hours(48); }}},
        {"replicas.parallel", {replica_with(R"(, "parallel": 8)"), [](const Config& c) { return c.replicas.at(0).parallel == 8; }}},
        {"replicas.s3.endpoint", {replica_with(""), [](const Config& c) { return c.replicas.at(0).s3.endpoint == "http://h:7480"; }}},
        {"replicas.s3.bucket", {replica_with(""), [](const Config& c) { return c.replicas.at(0).s3.bucket == "b-1"; }}},
        {"replicas.s3.prefix", {replica_with(""), [](const Config& c) { return c.replicas.at(0).s3.prefix == "t1/"; }}},
        {"replicas.s3.region", {replica_with(""), [](const Config& c) { return c.replicas.at(0).s3.region == "eu-west-1"; }}},
        {"replicas.s3.credentials_file", {replica_with(""), [](const Config& c) { return c.replicas.at(0).s3.credentials_file == "/etc/c"; }}},
        {"catalog", {R"({"catalog": {"postgresql": "postgresql://db/m"}})", [](const Config& c) { return c.catalog && c.catalog->postgresql == "postgresql://db/m"; }}},
        {"catalog.postgresql", {R"({"catalog": {"postgresql": "postgres://u@db:5433/m?sslmode=require"}})", [](const Config& c) { return c.catalog->postgresql == "postgres://u@db:5433/m?sslmode=require"; }}},
        {"catalog.password_file", {R"({"catalog": {"postgresql": "postgresql://db/m", "password_file": "pw"}})", [](const Config& c) { return c.catalog->password_file == "/etc/modelvault/pw"; }}},
        {"defaults", {R"({"defaults": {"settle": "7s"}, "watches": [{"name": "w", "path": "/w"}]})",
                      [](const Config& c) { return the_watch(c).settle == 7s; }}},
        {"watches", {watch_with(R"("recursive": true)"), [](const Config& c) { return c.watches.size() == 1; }}},
        {"watches[].name", {watch_with(R"("layout": "files")"), [](const Config& c) { return the_watch(c).name == "w"; }}},
        {"watches[].path", {watch_with(R"("layout": "files")"), [](const Config& c) { return the_watch(c).path == "/srv/w"; }}},
        {"watches[].layout", {watch_with(R"("layout": "directory")"), [](const Config& c) { return the_watch(c).layout == Layout::directory; }}},
        {"watches[].recursive", {watch_with(R"("recursive": false)"), [](const Config& c) { return !the_watch(c).recursive; }}},
        {"watches[].include", {watch_with(R"("include": ["*.pt"])"), [](const Config& c) { return the_watch(c).include == std::vector<std::string>{"*.pt"}; }}},
        {"watches[].exclude", {watch_with(R"("exclude": ["old*"])"), [](const Config& c) { return the_watch(c).exclude == std::vector<std::string>{"old*"}; }}},
        {"watches[].sidecars", {watch_with(R"("sidecars": ["logs/*.log"])"), [](const Config& c) { return the_watch(c).sidecars == std::vector<std::string>{"logs/*.log"}; }}},
        {"watches[].settle", {watch_with(R"("settle": "9s")"), [](const Config& c) { return the_watch(c).settle == 9s; }}},
        {"watches[].triggers", {watch_with(R"("triggers": {"on_change": false})"), [](const Config& c) { return !the_watch(c).triggers.on_change; }}},
        {"watches[].triggers.on_change", {watch_with(R"("triggers": {"on_change": false})"), [](const Config& c) { return !the_watch(c).triggers.on_change; }}},
        {"watches[].triggers.schedule", {watch_with(R"("triggers": {"schedule": {"every": "1h"}})"), [](const Config& c) { return the_watch(c).triggers.schedule.has_value(); }}},
        {"watches[].triggers.schedule.every", {watch_with(R"("triggers": {"schedule": {"every": "1h"}})"), [](const Config& c) { return the_watch(c).triggers.schedule->every == 1h; }}},
        {"watches[].triggers.schedule.at", {watch_with(R"("triggers": {"schedule": {"at": ["02:30"]}})"), [](const Config& c) { return the_watch(c).triggers.schedule->at == std::vector<TimeOfDay>{{2, 30}}; }}},
        {"watches[].triggers.improvement", {watch_with(R"("triggers": {"improvement": {"metric": "/m"}})"), [](const Config& c) { return the_watch(c).triggers.improvement.has_value(); }}},
        {"watches[].triggers.improvement.metrics_file", {watch_with(R"("triggers": {"improvement": {"metric": "/m", "metrics_file": "m.json"}})"), [](const Config& c) { return the_watch(c).triggers.improvement->metrics_file == "m.json"; }}},
        {"watches[].triggers.improvement.metric", {watch_with(R"("triggers": {"improvement": {"metric": "/eval/acc"}})"), [](const Config& c) { return the_watch(c).triggers.improvement->metric == "/eval/acc"; }}},
        {"watches[].triggers.improvement.mode", {watch_with(R"("triggers": {"improvement": {"metric": "/m", "mode": "min"}})"), [](const Config& c) { return the_watch(c).triggers.improvement->mode == MetricMode::min; }}},
        {"watches[].triggers.improvement.min_delta", {watch_with(R"("triggers": {"improvement": {"metric": "/m", "min_delta": 0.5}})"), [](const Config& c) { return the_watch(c).triggers.improvement->min_delta == 0.5; }}},
        {"watches[].triggers.improvement.min_relative", {watch_with(R"("triggers": {"improvement": {"metric": "/m", "min_relative": 0.25}})"), [](const Config& c) { return the_watch(c).triggers.improvement->min_relative == 0.25; }}},
        {"watches[].triggers.steps", {watch_with(R"("triggers": {"steps": {"counter": "/e", "every": 5}})"), [](const Config& c) { return the_watch(c).triggers.steps.has_value(); }}},
        {"watches[].triggers.steps.metrics_file", {watch_with(R"("triggers": {"steps": {"counter": "/e", "every": 5, "metrics_file": "s.json"}})"), [](const Config& c) { return the_watch(c).triggers.steps->metrics_file == "s.json"; }}},
        {"watches[].triggers.steps.counter", {watch_with(R"("triggers": {"steps": {"counter": "/episode", "every": 5}})"), [](const Config& c) { return the_watch(c).triggers.steps->counter == "/episode"; }}},
        {"watches[].triggers.steps.every", {watch_with(R"("triggers": {"steps": {"counter": "/e", "every": 500}})"), [](const Config& c) { return the_watch(c).triggers.steps->every == 500; }}},
        {"watches[].compat", {watch_with(R"("compat": {"file": "c.json", "keys": ["/a"]})"), [](const Config& c) { return the_watch(c).compat.has_value(); }}},
        {"watches[].compat.file", {watch_with(R"("compat": {"file": "run/c.json", "keys": ["/a"]})"), [](const Config& c) { return the_watch(c).compat->file == "run/c.json"; }}},
        {"watches[].compat.keys", {watch_with(R"("compat": {"file": "c.json", "keys": ["/a", "/b"]})"), [](const Config& c) { return the_watch(c).compat->keys == std::vector<std::string>{"/a", "/b"}; }}},
        {"watches[].params_file", {watch_with(R"("params_file": "{stem}.params.json")"), [](const Config& c) { return the_watch(c).params_file == "{stem}.params.json"; }}},
        {"watches[].hooks", {watch_with(R"("hooks": {"on_backup": []})"), [](const Config& c) { return the_watch(c).hooks.on_backup == std::vector<std::string>{}; }}},
        {"watches[].retention", {watch_with(R"("retention": {})"), [](const Config& c) { return the_watch(c).retention.has_value(); }}},
        {"watches[].retention.keep_last", {watch_with(R"("retention": {"keep_last": 4})"), [](const Config& c) { return the_watch(c).retention->keep_last == 4; }}},
        {"watches[].retention.keep_hourly", {watch_with(R"("retention": {"keep_hourly": 4})"), [](const Config& c) { return the_watch(c).retention->keep_hourly == 4; }}},
        {"watches[].retention.keep_daily", {watch_with(R"("retention": {"keep_daily": 4})"), [](const Config& c) { return the_watch(c).retention->keep_daily == 4; }}},
        {"watches[].retention.keep_weekly", {watch_with(R"("retention": {"keep_weekly": 4})"), [](const Config& c) { return the_watch(c).retention->keep_weekly == 4; }}},
        {"watches[].retention.keep_monthly", {watch_with(R"("retention": {"keep_monthly": 4})"), [](const Config& c) { return the_watch(c).retention->keep_monthly == 4; }}},
        {"watches[].retention.keep_yearly", {watch_with(R"("retention": {"keep_yearly": 4})"), [](const Config& c) { return the_watch(c).retention->keep_yearly == 4; }}},
        {"watches[].retention.keep_within", {watch_with(R"("retention": {"keep_within": "2d"})"), [](const Config& c) { return the_watch(c).retention->keep_within == 48h; }}},
        {"watches[].retention.keep_within_hourly", {watch_with(R"("retention": {"keep_within_hourly": "2d"})"), [](const Config& c) { return the_watch(c).retention->keep_within_hourly == 48h; }}},
        {"watches[].retention.keep_within_daily", {watch_with(R"("retention": {"keep_within_daily": "2d"})"), [](const Config& c) { return the_watch(c).retention->keep_within_daily == 48h; }}},
        {"watches[].retention.keep_within_weekly", {watch_with(R"("retention": {"keep_within_weekly": "2d"})"), [](const Config& c) { return the_watch(c).retention->keep_within_weekly == 48h; }}},
        {"watches[].retention.keep_within_monthly", {watch_with(R"("retention": {"keep_within_monthly": "2d"})"), [](const Config& c) { return the_watch(c).retention->keep_within_monthly == 48h; }}},
        {"watches[].retention.keep_within_yearly", {watch_with(R"("retention": {"keep_within_yearly": "2d"})"), [](const Config& c) { return the_watch(c).retention->keep_within_yearly == 48h; }}},
        {"watches[].retention.keep_tags", {watch_with(R"("retention": {"keep_tags": ["pinned"]})"), [](const Config& c) { return the_watch(c).retention->keep_tags == std::vector<std::string>{"pinned"}; }}},
        {"watches[].retention.max_versions", {watch_with(R"("retention": {"max_versions": 9})"), [](const Config& c) { return the_watch(c).retention->max_versions == 9; }}},
        {"watches[].triggers.metrics_wait", {watch_with(R"("triggers": {"metrics_wait": "30s"})"), [](const Config& c) { return the_watch(c).triggers.metrics_wait == 30s; }}},
        {"watches[].checkpoints", {watch_with(R"("checkpoints": "sb3")"), [](const Config& c) { return the_watch(c).checkpoints->preset == CheckpointPreset::sb3; }}},
        {"watches[].checkpoints.preset", {watch_with(R"("checkpoints": {"preset": "orbax"})"), [](const Config& c) { return the_watch(c).checkpoints->preset == CheckpointPreset::orbax; }}},
        {"watches[].checkpoints.pattern", {watch_with(R"("checkpoints": {"pattern": "ckpt_{step}"})"), [](const Config& c) { return the_watch(c).checkpoints->pattern_text == "ckpt_{step}"; }}},
        {"watches[].checkpoints.name", {watch_with(R"("checkpoints": {"preset": "keras", "name": "run"})"), [](const Config& c) { return the_watch(c).checkpoints->name == "run"; }}},
    };
    // clang-format on
    return k_cases;
}

TEST(DocumentedKeys, TheReferenceListsTheKeysOfEverySection) {
    // The parser of docs/CONFIG.md must see the sections it walks, or the test below
    // would pass on an empty list.
    const auto keys = documented_keys();
    for (const char* key : {"vault", "compression.level", "encryption.key_file", "hooks.on_backup",
                            "watches[].sidecars", "watches[].triggers.schedule.every",
                            "watches[].triggers.steps.every", "watches[].compat.keys",
                            "watches[].retention.keep_within_yearly"}) {
        EXPECT_TRUE(keys.count(key)) << key << " not found in docs/CONFIG.md's key tables";
    }
}

TEST(DocumentedKeys, EveryDocumentedKeyHasAnEffectOrIsRefused) {
    const auto& cases = key_cases();
    for (const auto& key : documented_keys()) {
        const auto it = cases.find(key);
        if (it == cases.end()) {
            ADD_FAILURE() << "docs/CONFIG.md documents `" << key
                          << "` but this test does not know what it does: add a case to "
                             "key_cases() that checks its effect, or refuse the key as not "
                             "available yet (config/detail/unavailable.hpp)";
            continue;
        }
        const KeyCase& c = it->second;
        if (c.effect) {
            EXPECT_TRUE(c.effect(parse_ok(c.text))) << key << ": " << c.text;
        } else {
            const auto problems = problems_of(c.text);
            ASSERT_FALSE(problems.empty()) << key << " is accepted but does nothing: " << c.text;
            EXPECT_THAT(problems[0], HasSubstr("not available yet")) << key;
        }
    }
}

TEST(DocumentedKeys, EveryCaseIsDocumented) {
    // A case for a key the reference no longer lists is stale.
    const auto keys = documented_keys();
    for (const auto& [key, c] : key_cases()) {
        EXPECT_TRUE(keys.count(key)) << "`" << key << "` is not in docs/CONFIG.md's key tables";
    }
}

TEST(DocumentedKeys, EncryptionIsAvailable) {
    EXPECT_THAT(problems_of(R"({"encryption": {"key_file": "/etc/modelvault/vault.key"}})"),
                ::testing::IsEmpty());
}

} // namespace
} // namespace mv::config
