#include "config/load.hpp"

#include <map>
#include <optional>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "config/detail/parse_json.hpp"
#include "config/detail/read_catalog.hpp"
#include "config/detail/read_http.hpp"
#include "config/detail/read_notify.hpp"
#include "config/detail/read_replicas.hpp"
#include "config/detail/read_settings.hpp"
#include "config/detail/read_watch.hpp"
#include "config/detail/unavailable.hpp"
#include "util/fs.hpp"

namespace mv::config {

namespace {

using detail::Checker;
using detail::Json;
using detail::KeyPath;

namespace stdfs = std::filesystem;

// sizeof(sockaddr_un::sun_path) is 108 on Linux, including the terminating NUL.
constexpr std::size_t k_max_socket_path = 107;

std::string format_problems(const stdfs::path& file, const std::vector<Problem>& problems) {
    std::string text;
    for (const Problem& problem : problems) {
        text +=
            fmt::format("{}{}: {}", text.empty() ? "" : "\n", file.string(), problem.to_string());
    }
    return text;
}

// Lexical containment: both paths are absolute and normal, so comparing components
// is enough (symbolic links are not followed; a missing watch path is allowed).
bool is_within(const stdfs::path& inner, const stdfs::path& outer) {
    auto i = inner.begin();
    for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
        if (i == inner.end() || *i != *o) {
            return false;
        }
    }
    return true;
}

void check_socket_length(const stdfs::path& socket, const KeyPath& path, Checker& checker) {
    if (socket.native().size() > k_max_socket_path) {
        checker.report(path, fmt::format("{} is {} bytes long, but a Unix socket path can be at "
                                         "most {} bytes (sun_path limit); choose a shorter path "
                                         "such as \"/run/modelvault/modelvault.sock\"",
                                         detail::quote(socket.native()), socket.native().size(),
                                         k_max_socket_path));
    }
}

// The vault and the watched trees must be disjoint, or every backup would be seen as
// a new model file to back up.
void check_vault_overlap(const stdfs::path& vault, const Watch& watch, const KeyPath& path,
                         Checker& checker) {
    const std::string dir = detail::quote(watch.path.native());
    const std::string vault_text = detail::quote(vault.native());
    constexpr std::string_view k_why = "the daemon would back up its own backups";
    if (watch.path == vault) {
        checker.report(
            path, fmt::format("{} is also the vault; {}: use separate directories", dir, k_why));
    } else if (is_within(vault, watch.path)) {
        checker.report(path, fmt::format("{} contains the vault {}; {}: move the vault out of "
                                         "the watched directory",
                                         dir, vault_text, k_why));
    } else if (is_within(watch.path, vault)) {
        checker.report(path, fmt::format("{} is inside the vault {}; {}: watch a directory "
                                         "outside the vault",
                                         dir, vault_text, k_why));
    }
}

// `inherited` merge-patched with `own` (RFC 7386), keys in the watch's order first so
// that problems are reported in the order the user reads the watch.
Json merge_defaults(const Json& inherited, const Json& own) {
    Json merged = inherited;
    merged.merge_patch(own);
    Json ordered = Json::object();
    for (const auto& [key, value] : own.items()) {
        if (merged.contains(key)) {
            ordered[key] = std::move(merged[key]);
            merged.erase(key);
        }
    }
    for (auto& [key, value] : merged.items()) {
        ordered[key] = std::move(value);
    }
    return ordered;
}

// Reads `defaults` and every watch. A watch is `defaults` merge-patched with the watch
// object (RFC 7386); a problem belongs to the watch when the watch wrote the value,
// otherwise to `defaults`, where it is reported once.
void read_watches(const Json* defaults, const Json* watches, const stdfs::path& base_dir,
                  const std::optional<stdfs::path>& vault, Checker& checker, Config& config) {
    const KeyPath defaults_path("defaults");
    Json inherited = Json::object();
    if (defaults != nullptr && !defaults->is_object()) {
        checker.report(defaults_path, fmt::format("expected an object of watch keys, got {}",
                                                  detail::describe(*defaults)));
    } else if (defaults != nullptr) {
        inherited.merge_patch(*defaults);
        Watch unused;
        read_watch(inherited, defaults_path, checker, detail::WatchMode::defaults, base_dir,
                   unused);
        // Reported above; inheriting them would hide a watch's missing name or path.
        inherited.erase("name");
        inherited.erase("path");
    }
    if (watches == nullptr) {
        return;
    }
    if (!watches->is_array()) {
        checker.report(KeyPath("watches"), fmt::format("expected an array of watch objects, got {}",
                                                       detail::describe(*watches)));
        return;
    }
    std::map<std::string, std::size_t> names;
    for (std::size_t i = 0; i < watches->size(); ++i) {
        const Json& own = (*watches)[i];
        const KeyPath path = KeyPath("watches") / i;
        if (!own.is_object()) {
            checker.report(
                path, fmt::format("expected an object (a watch), got {}", detail::describe(own)));
            continue;
        }
        const Json merged = merge_defaults(inherited, own);
        Checker local;
        Watch watch;
        read_watch(merged, {}, local, detail::WatchMode::complete, base_dir, watch);
        for (const detail::Finding& finding : local.findings()) {
            const bool written_here = own.contains(finding.origin.pointer());
            checker.report(finding.path.under(written_here ? path : defaults_path),
                           finding.message);
        }
        if (vault && !watch.path.empty()) {
            check_vault_overlap(*vault, watch, path / "path", checker);
        }
        if (!watch.name.empty()) {
            const auto [first, inserted] = names.emplace(watch.name, i);
            if (!inserted) {
                checker.report(path / "name",
                               fmt::format("{} is already the name of watches[{}]; names must "
                                           "be unique",
                                           detail::quote(watch.name), first->second));
            }
        }
        config.watches.push_back(std::move(watch));
    }
}

void read_config(const Json& document, const stdfs::path& base_dir, Checker& checker,
                 Config& config) {
    const Json* defaults = nullptr;
    const Json* watches = nullptr;
    // The vault is checked against watch paths only when it was read successfully.
    std::optional<stdfs::path> vault = config.vault;
    detail::report_unavailable(document, checker);
    visit_members(
        document, {}, checker,
        {
            {"vault",
             [&](const Json& v, const KeyPath& p) {
                 vault = detail::to_path(v, p, checker, base_dir);
                 config.vault = vault.value_or(config.vault);
             }},
            {"socket",
             [&](const Json& v, const KeyPath& p) {
                 if (auto socket = detail::to_path(v, p, checker, base_dir)) {
                     check_socket_length(*socket, p, checker);
                     config.socket = *socket;
                 }
             }},
            {"log_level",
             [&](const Json& v, const KeyPath& p) {
                 if (auto level = detail::to_enum<LogLevel>(v, p, checker,
                                                            {{"trace", LogLevel::trace},
                                                             {"debug", LogLevel::debug},
                                                             {"info", LogLevel::info},
                                                             {"warn", LogLevel::warn},
                                                             {"error", LogLevel::error},
                                                             {"critical", LogLevel::critical},
                                                             {"off", LogLevel::off}})) {
                     config.log_level = *level;
                 }
             }},
            {"compression",
             [&](const Json& v, const KeyPath& p) {
                 detail::read_compression(v, p, checker, config.compression);
             }},
            {"encryption",
             [&](const Json& v, const KeyPath& p) {
                 detail::read_encryption(v, p, checker, base_dir, config.encryption.emplace());
             }},
            {"verify_after_write",
             [&](const Json& v, const KeyPath& p) {
                 if (auto verify = detail::to_bool(v, p, checker)) {
                     config.verify_after_write = *verify;
                 }
             }},
            {"io_priority",
             [&](const Json& v, const KeyPath& p) {
                 if (auto priority =
                         detail::to_enum<IoPriority>(v, p, checker,
                                                     {{"idle", IoPriority::idle},
                                                      {"best-effort", IoPriority::best_effort},
                                                      {"normal", IoPriority::normal}})) {
                     config.io_priority = *priority;
                 }
             }},
            {"access",
             [&](const Json& v, const KeyPath& p) {
                 detail::read_access(v, p, checker, config.access);
             }},
            {"hooks", [&](const Json& v,
                          const KeyPath& p) { detail::read_hooks(v, p, checker, config.hooks); }},
            {"webhooks",
             [&](const Json& v, const KeyPath& p) {
                 detail::read_webhooks(v, p, checker, base_dir, config.webhooks);
             }},
            {"metrics",
             [&](const Json& v, const KeyPath& p) {
                 detail::read_metrics(v, p, checker, base_dir, config.metrics.emplace());
             }},
            {"dbus",
             [&](const Json& v, const KeyPath& p) {
                 detail::read_dbus(v, p, checker, config.dbus.emplace());
             }},
            {"http",
             [&](const Json& v, const KeyPath& p) {
                 detail::read_http(v, p, checker, base_dir, config.http.emplace());
             }},
            {"reports",
             [&](const Json& v, const KeyPath& p) {
                 detail::read_reports(v, p, checker, base_dir, config.reports.emplace());
             }},
            {"warn_free_below",
             [&](const Json& v, const KeyPath& p) {
                 config.warn_free_below = detail::to_size(v, p, checker);
             }},
            {"replicas",
             [&](const Json& v, const KeyPath& p) {
                 detail::read_replicas(v, p, checker, base_dir, config.replicas);
             }},
            {"catalog",
             [&](const Json& v, const KeyPath& p) {
                 detail::read_catalog(v, p, checker, base_dir, config.catalog.emplace());
             }},
            // Watches need the defaults, which may come later in the file.
            {"defaults", [&](const Json& v, const KeyPath&) { defaults = &v; }},
            {"watches", [&](const Json& v, const KeyPath&) { watches = &v; }},
        },
        "a JSON object at the top level");
    read_watches(defaults, watches, base_dir, vault, checker, config);
}

// Problems in reading order; a problem inherited by several watches from `defaults`
// is listed once.
std::vector<Problem> to_problems(const Checker& checker) {
    std::vector<Problem> problems;
    std::set<std::string> seen;
    for (const detail::Finding& finding : checker.findings()) {
        Problem problem{finding.path.text(), finding.message};
        if (seen.insert(problem.to_string()).second) {
            problems.push_back(std::move(problem));
        }
    }
    return problems;
}

stdfs::path absolute_dir(const stdfs::path& dir) {
    std::error_code error;
    stdfs::path absolute = dir.empty() ? stdfs::current_path(error) : stdfs::absolute(dir, error);
    return error ? dir : absolute.lexically_normal();
}

} // namespace

std::string Problem::to_string() const {
    return path.empty() ? message : path + ": " + message;
}

ConfigError::ConfigError(std::filesystem::path file, std::vector<Problem> problems)
    : Error(format_problems(file, problems), ErrorCode::invalid_argument),
      m_problems(std::move(problems)) {}

Config parse_config(std::string_view text, const std::filesystem::path& base_dir,
                    const std::filesystem::path& source_name) {
    Checker checker;
    Config config;
    config.source = source_name;
    if (const auto document = detail::parse_document(text, checker)) {
        read_config(*document, absolute_dir(base_dir), checker, config);
    }
    if (!checker.ok()) {
        throw ConfigError(source_name, to_problems(checker));
    }
    return config;
}

Config load_config(const std::filesystem::path& file) {
    auto text = fs::read_file(file);
    if (!text) {
        throw ConfigError(file, {Problem{"", text.error()}});
    }
    return parse_config(*text, absolute_dir(file.parent_path()), file);
}

} // namespace mv::config
