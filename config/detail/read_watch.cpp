#include "config/detail/read_watch.hpp"

#include "config/detail/read_notify.hpp"
#include "config/detail/text_checks.hpp"

namespace mv::config::detail {

namespace {

using namespace std::chrono_literals;

// Shorter settle times cannot tell a pause between two writes from a finished file.
constexpr Duration k_min_settle = 100ms;

} // namespace

void read_watch(const Json& value, const KeyPath& path, Checker& checker, WatchMode mode,
                const std::filesystem::path& base_dir, Watch& watch) {
    bool has_name = false;
    bool has_path = false;
    // name and path identify one watch: inheriting them would make every watch the same.
    const auto own_key = [&](const KeyPath& key_path, std::string_view key) {
        if (mode == WatchMode::defaults) {
            checker.report(key_path, fmt::format("not allowed in defaults; every watch sets its "
                                                 "own {}",
                                                 key));
            return false;
        }
        return true;
    };
    const bool is_object = visit_members(
        value, path, checker,
        {
            {"name",
             [&](const Json& v, const KeyPath& p) {
                 has_name = true;
                 if (own_key(p, "name")) {
                     if (auto name = to_text(v, p, checker, check_watch_name)) {
                         watch.name = *name;
                     }
                 }
             }},
            {"path",
             [&](const Json& v, const KeyPath& p) {
                 has_path = true;
                 if (own_key(p, "path")) {
                     if (auto dir = to_path(v, p, checker, base_dir)) {
                         watch.path = *dir;
                     }
                 }
             }},
            {"layout",
             [&](const Json& v, const KeyPath& p) {
                 if (auto layout = to_enum<Layout>(
                         v, p, checker,
                         {{"files", Layout::files}, {"directory", Layout::directory}})) {
                     watch.layout = *layout;
                 }
             }},
            {"recursive",
             [&](const Json& v, const KeyPath& p) {
                 if (auto recursive = to_bool(v, p, checker)) {
                     watch.recursive = *recursive;
                 }
             }},
            {"include",
             [&](const Json& v, const KeyPath& p) {
                 if (auto globs = to_text_list(v, p, checker, check_glob)) {
                     watch.include = std::move(*globs);
                 }
             }},
            {"exclude",
             [&](const Json& v, const KeyPath& p) {
                 if (auto globs = to_text_list(v, p, checker, check_glob)) {
                     watch.exclude = std::move(*globs);
                 }
             }},
            {"sidecars",
             [&](const Json& v, const KeyPath& p) {
                 if (auto templates = to_text_list(v, p, checker, check_sidecar_template)) {
                     watch.sidecars = std::move(*templates);
                 }
             }},
            {"settle",
             [&](const Json& v, const KeyPath& p) {
                 if (auto settle = to_duration(v, p, checker, k_min_settle)) {
                     watch.settle = *settle;
                 }
             }},
            {"triggers",
             [&](const Json& v, const KeyPath& p) {
                 read_triggers(v, p, checker, mode, watch.triggers);
             }},
            {"compat",
             [&](const Json& v, const KeyPath& p) {
                 read_compat(v, p, checker, mode, watch.compat.emplace());
             }},
            {"params_file",
             [&](const Json& v, const KeyPath& p) {
                 if (auto file = to_text(v, p, checker, check_template)) {
                     watch.params_file = *file;
                 }
             }},
            {"retention",
             [&](const Json& v, const KeyPath& p) {
                 read_retention(v, p, checker, watch.retention.emplace());
             }},
            {"hooks", [&](const Json& v,
                          const KeyPath& p) { read_watch_hooks(v, p, checker, watch.hooks); }},
            {"checkpoints",
             [&](const Json& v, const KeyPath& p) {
                 read_checkpoints(v, p, checker, watch.checkpoints.emplace());
             }},
        },
        "an object (a watch)");
    if (is_object && watch.checkpoints && watch.layout == Layout::directory) {
        checker.report(path / "checkpoints",
                       "a checkpoint series needs layout \"files\" (layout \"directory\" keeps "
                       "the whole folder as one model): remove one of the two");
    }
    if (!is_object || mode == WatchMode::defaults) {
        return;
    }
    if (!has_name) {
        checker.report_missing(path / "name",
                               "required: a unique name for the watch, such as \"pacman\"");
    }
    if (!has_path) {
        checker.report_missing(path / "path",
                               "required: the directory to watch, such as \"/srv/models\"");
    }
}

} // namespace mv::config::detail
