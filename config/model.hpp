#pragma once
// The configuration as plain structs (docs/CONFIG.md). Nothing here knows about JSON: the
// vault, watcher, scheduler and retention components take these structs, and only
// config/parse.cpp turns a file into them. Defaults here are the documented defaults
// (docs/CONFIG.md); every path is absolute once parsing has finished.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mv::config {

using Duration = std::chrono::milliseconds;

enum class Codec { zstd, gzip, xz, none };
enum class IoPriority { idle, best_effort, normal };
enum class Layout { files, directory };
enum class MetricMode { max, min };
enum class LogLevel { trace, debug, info, warn, error, critical, off };

struct Compression {
    Codec codec = Codec::zstd;
    int level = 3;   ///< codec-specific; zstd 1..19, gzip 1..9, xz 0..9, none ignores it
    int threads = 0; ///< compression threads; 0 = one per CPU core
    /// Floats are stored byte-grouped before zstd (docs/FORMAT.md "Codecs"); false gives
    /// plain zstd for every chunk.
    bool byte_grouping = true;
};

struct Encryption {
    std::filesystem::path key_file; ///< 32 raw bytes or 64 hex characters (not yet active)
};

/// Who may talk to the control socket (docs/CONFIG.md `access`). Entries are user names or
/// "@group".
struct Access {
    std::string socket_group;       ///< group owning the socket file; empty = daemon's group
    std::vector<std::string> read;  ///< may run read commands
    std::vector<std::string> write; ///< may also run mutating commands
};

/// Commands run after events (docs/NOTIFICATIONS.md): argv arrays run without a shell;
/// each argument may contain the placeholders of k_hook_placeholders. Empty: no hook.
struct Hooks {
    std::vector<std::string> on_backup;
    std::vector<std::string> on_failure;
    std::vector<std::string> on_prune;
    std::vector<std::string> on_restore;
    Duration timeout = std::chrono::seconds(30); ///< then the hook's process group is killed
    std::string user; ///< who hooks run as when the daemon is root; empty: nobody
};

/// A watch's own hooks: a set command replaces the global one for the watch's models
/// (an empty array turns it off), an unset one inherits it.
struct WatchHooks {
    std::optional<std::vector<std::string>> on_backup;
    std::optional<std::vector<std::string>> on_failure;
    std::optional<std::vector<std::string>> on_prune;
    std::optional<std::vector<std::string>> on_restore;
};

/// The names hook arguments may use as {name} (and MODELVAULT_NAME in their environment);
/// notify/ fills them in (docs/NOTIFICATIONS.md lists which event sets which).
inline constexpr const char* k_hook_placeholders[] = {"event",
                                                      "time",
                                                      "host",
                                                      "watch",
                                                      "model",
                                                      "version",
                                                      "trigger",
                                                      "reason",
                                                      "path",
                                                      "error",
                                                      "user",
                                                      "replica",
                                                      "size_bytes",
                                                      "stored_bytes",
                                                      "reclaimed_bytes",
                                                      "free_bytes",
                                                      "threshold_bytes",
                                                      "duration_seconds",
                                                      "removed"};

/// Events that webhooks subscribe to and hooks follow (docs/NOTIFICATIONS.md).
enum class NotifyEvent {
    backup_created,
    backup_failed,
    pruned,
    restored,
    replica_failed,
    disk_low
};
inline constexpr NotifyEvent k_notify_events[] = {
    NotifyEvent::backup_created, NotifyEvent::backup_failed,  NotifyEvent::pruned,
    NotifyEvent::restored,       NotifyEvent::replica_failed, NotifyEvent::disk_low};

/// A JSON POST per event to `url`, signed with the secret in `secret_file` when set.
struct Webhook {
    std::string url; ///< http:// or https://
    std::vector<NotifyEvent> events{std::begin(k_notify_events), std::end(k_notify_events)};
    std::filesystem::path secret_file; ///< empty: no signature header
};

/// Prometheus metrics in node_exporter's textfile format.
struct MetricsOutput {
    std::filesystem::path textfile; ///< absolute, ends in ".prom"
};

/// The D-Bus service org.modelvault.Daemon1.
struct DBus {
    std::string bus = "system"; ///< "system", "session" or a D-Bus address ("unix:path=...")
};

/// The HTTP server of the daemon (docs/HTTP.md): off unless configured.
struct Http {
    std::string host = "127.0.0.1"; ///< an IP address literal; not loopback only with TLS
    std::uint16_t port = 8470;
    std::filesystem::path tokens_file; ///< absolute: `read TOKEN` / `write TOKEN` lines
    /// Both absolute, or both empty (plain HTTP): the PEM certificate chain and its
    /// private key (docs/HTTP.md, "TLS").
    std::filesystem::path tls_cert;
    std::filesystem::path tls_key;
    bool tls() const { return !tls_cert.empty(); }
};

/// A local time of day for `schedule.at`.
struct TimeOfDay {
    int hour = 0;   ///< 0..23
    int minute = 0; ///< 0..59
    friend bool operator==(const TimeOfDay&, const TimeOfDay&) = default;
};

/// The daily report (docs/CONFIG.md, `reports`): what `modelvaultctl report --html`
/// writes, into `dir` each day at `at` (local time).
struct Reports {
    TimeOfDay at;
    std::filesystem::path dir; ///< absolute
    friend bool operator==(const Reports&, const Reports&) = default;
};

struct ScheduleTrigger {
    std::optional<Duration> every; ///< fixed interval (≥ 1s)
    std::vector<TimeOfDay> at;     ///< daily local times, sorted, unique
};

struct ImprovementTrigger {
    std::string metrics_file = "{stem}.metrics.json"; ///< template relative to the model
    std::string metric;                               ///< JSON pointer, e.g. "/eval/win_rate"
    MetricMode mode = MetricMode::max;
    double min_delta = 0.0;    ///< absolute improvement required (≥ 0)
    double min_relative = 0.0; ///< relative improvement required (≥ 0, 0.05 = 5 %)
};

struct StepsTrigger {
    std::string metrics_file = "{stem}.metrics.json";
    std::string counter;    ///< JSON pointer to a non-negative integer counter
    std::int64_t every = 0; ///< > 0
};

struct Triggers {
    bool on_change = true;
    std::optional<ScheduleTrigger> schedule;
    std::optional<ImprovementTrigger> improvement;
    std::optional<StepsTrigger> steps;
    /// How long a new version waits for metrics no earlier version took (docs/CONFIG.md).
    Duration metrics_wait = std::chrono::seconds(10);
};

/// The frameworks whose checkpoint names and completion signals modelvault knows.
enum class CheckpointPreset { none, lightning, huggingface, sb3, keras, orbax, torch_dcp };

/// One piece of a checkpoint name pattern: literal text, or a placeholder whose value is
/// captured from the name ({step}, {epoch}, a metric such as {val_loss}).
struct PatternPart {
    std::string text; ///< the literal text, or the placeholder's name
    bool placeholder = false;
    friend bool operator==(const PatternPart&, const PatternPart&) = default;
};

/// A checkpoint series (docs/CONFIG.md, `checkpoints`): the many names one training run
/// writes are versions of one model, ordered by step.
struct Checkpoints {
    CheckpointPreset preset = CheckpointPreset::none;
    std::vector<PatternPart> pattern; ///< empty: the preset's own names
    std::string pattern_text;         ///< the pattern as written
    std::string name;                 ///< the series' name in model ids; "" = derived
    friend bool operator==(const Checkpoints&, const Checkpoints&) = default;
};

struct Compat {
    std::string file;              ///< JSON file relative to the model's folder
    std::vector<std::string> keys; ///< JSON pointers whose change means a major bump
};

/// restic-style retention (docs/CONFIG.md `retention`). An unset field does not constrain.
struct RetentionPolicy {
    std::optional<int> keep_last;
    std::optional<int> keep_hourly;
    std::optional<int> keep_daily;
    std::optional<int> keep_weekly;
    std::optional<int> keep_monthly;
    std::optional<int> keep_yearly;
    std::optional<Duration> keep_within;
    std::optional<Duration> keep_within_hourly;
    std::optional<Duration> keep_within_daily;
    std::optional<Duration> keep_within_weekly;
    std::optional<Duration> keep_within_monthly;
    std::optional<Duration> keep_within_yearly;
    std::vector<std::string> keep_tags;
    std::optional<int> max_versions;
};

/// The built-in include list: the model extensions docs/CONFIG.md `include` lists.
std::vector<std::string> default_include();
/// The built-in exclude list: temporary and hidden files.
std::vector<std::string> default_exclude();

struct Watch {
    std::string name;           ///< unique, [A-Za-z0-9._-]+, not "." or ".."
    std::filesystem::path path; ///< absolute
    Layout layout = Layout::files;
    bool recursive = true;
    std::vector<std::string> include = default_include(); ///< fnmatch globs on the file name
    std::vector<std::string> exclude = default_exclude(); ///< globs on every path component
    std::vector<std::string> sidecars;                    ///< templates with {stem} {name}
    Duration settle = std::chrono::seconds(2);
    Triggers triggers;
    std::optional<Compat> compat;
    /// A JSON file of the run's parameters next to the model (a template with {stem}
    /// {name}), stored whole in each version's manifest; empty = none.
    std::string params_file;
    std::optional<RetentionPolicy> retention; ///< absent = keep everything
    WatchHooks hooks;
    std::optional<Checkpoints> checkpoints; ///< absent = every file is a model of its own
};

/// Where an off-site replica is stored (docs/CONFIG.md, "replicas").
struct ReplicaS3 {
    std::string endpoint; ///< empty: AWS S3 (virtual-hosted); else path-style
    std::string bucket;
    std::string prefix; ///< empty or ending in '/'
    std::string region = "us-east-1";
    std::filesystem::path credentials_file; ///< AWS shared-credentials format, mode 0600

    bool operator==(const ReplicaS3&) const = default;
};

/// An off-site copy of the vault in S3-compatible storage (docs/REPLICAS.md).
struct Replica {
    std::string name;
    ReplicaS3 s3;
    std::uint64_t bandwidth = 0; ///< bytes per second for all connections; 0: no limit
    int parallel = 4;            ///< connections at once
    /// How long a version removed locally stays on the replica (docs/REPLICAS.md).
    Duration keep_removed = std::chrono::hours(24 * 7);

    bool operator==(const Replica&) const = default;
};

/// The shared PostgreSQL catalog of a fleet (docs/catalog.md): every version, note, tag
/// and removal mirrored into one database.
struct Catalog {
    std::string postgresql;              ///< a libpq connection URI ("postgresql://...")
    std::filesystem::path password_file; ///< empty: none (peer or trust auth); mode 0600

    bool operator==(const Catalog&) const = default;
};

struct Config {
    std::filesystem::path source; ///< the file this was read from (empty for defaults)
    std::filesystem::path vault = "/var/lib/modelvault";
    std::filesystem::path socket = "/run/modelvault/modelvault.sock";
    LogLevel log_level = LogLevel::info;
    Compression compression;
    std::optional<Encryption> encryption;
    bool verify_after_write = true;
    IoPriority io_priority = IoPriority::idle;
    Access access;
    Hooks hooks;
    std::vector<Webhook> webhooks;
    std::optional<MetricsOutput> metrics;
    std::optional<DBus> dbus;
    std::optional<Http> http;
    std::optional<Reports> reports;
    std::optional<std::uint64_t> warn_free_below; ///< bytes free in the vault's file system
    std::vector<Replica> replicas;
    std::optional<Catalog> catalog;
    std::vector<Watch> watches;
};

/// Text forms used in logs, status output and docs.
const char* to_string(Codec codec);
const char* to_string(Layout layout);
const char* to_string(MetricMode mode);
const char* to_string(IoPriority priority);
const char* to_string(LogLevel level);
const char* to_string(NotifyEvent event);
const char* to_string(CheckpointPreset preset);

} // namespace mv::config
