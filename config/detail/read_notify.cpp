#include "config/detail/read_notify.hpp"

#include "config/detail/text_checks.hpp"
#include "config/hook_argument.hpp"
#include "config/size.hpp"

namespace mv::config::detail {

namespace {

using namespace std::chrono_literals;

// A hook that may run for less than this cannot even start a program reliably on a
// loaded machine; one that runs longer than an hour is not a notification.
constexpr Duration k_min_hook_timeout = 100ms;
constexpr Duration k_max_hook_timeout = 1h;

std::optional<std::vector<std::string>> to_argv(const Json& value, const KeyPath& path,
                                                Checker& checker) {
    auto words = to_text_list(value, path, checker, [](const std::string& text) {
        if (auto problem = for_each_piece(
                text, [](std::string_view) {}, [](std::string_view) {})) {
            return std::optional<std::string>(fmt::format("{}, got {}", *problem, quote(text)));
        }
        return std::optional<std::string>();
    });
    if (!words || words->empty()) {
        return words;
    }
    const std::string& program = words->front();
    if (program.empty()) {
        checker.report(path / std::size_t{0},
                       "expected the program to run, such as \"/usr/local/bin/notify\", got \"\"");
        return std::nullopt;
    }
    if (program.front() != '/' || program.find('{') != std::string::npos) {
        checker.report(path / std::size_t{0},
                       fmt::format("expected the absolute path of the program, such as "
                                   "\"/usr/local/bin/notify\", got {} (hooks run without a shell "
                                   "and without a PATH search; placeholders go in the arguments)",
                                   quote(program)));
        return std::nullopt;
    }
    return words;
}

void read_argv(const Json& value, const KeyPath& path, Checker& checker,
               std::vector<std::string>& argv) {
    if (auto words = to_argv(value, path, checker)) {
        argv = std::move(*words);
    }
}

void read_argv(const Json& value, const KeyPath& path, Checker& checker,
               std::optional<std::vector<std::string>>& argv) {
    if (auto words = to_argv(value, path, checker)) {
        argv = std::move(*words);
    }
}

std::optional<std::string> check_url(const std::string& text) {
    const auto bad = [&](std::string_view why) {
        return std::optional<std::string>(fmt::format(
            "expected an http:// or https:// URL such as \"https://hooks.example.com/mv\", got "
            "{} ({})",
            quote(text), why));
    };
    std::string_view rest;
    if (text.starts_with("https://")) {
        rest = std::string_view(text).substr(8);
    } else if (text.starts_with("http://")) {
        rest = std::string_view(text).substr(7);
    } else {
        return bad("only http and https are sent");
    }
    if (rest.empty() || rest.front() == '/' || rest.front() == ':') {
        return bad("the host is missing");
    }
    for (const char c : text) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
            return bad("spaces and control characters must be percent-encoded");
        }
    }
    return std::nullopt;
}

std::optional<NotifyEvent> to_event(const Json& value, const KeyPath& path, Checker& checker) {
    return to_enum<NotifyEvent>(value, path, checker,
                                {{"backup_created", NotifyEvent::backup_created},
                                 {"backup_failed", NotifyEvent::backup_failed},
                                 {"pruned", NotifyEvent::pruned},
                                 {"restored", NotifyEvent::restored},
                                 {"replica_failed", NotifyEvent::replica_failed},
                                 {"disk_low", NotifyEvent::disk_low}});
}

void read_webhook(const Json& value, const KeyPath& path, Checker& checker,
                  const std::filesystem::path& base_dir, Webhook& webhook) {
    bool has_url = false;
    const bool is_object = visit_members(
        value, path, checker,
        {
            {"url",
             [&](const Json& v, const KeyPath& p) {
                 has_url = true;
                 webhook.url = to_text(v, p, checker, check_url).value_or("");
             }},
            {"events",
             [&](const Json& v, const KeyPath& p) {
                 if (!v.is_array() || v.empty()) {
                     checker.report(p, fmt::format("expected a non-empty array of event names "
                                                   "such as [\"backup_failed\"] (leave `events` "
                                                   "out for every event), got {}",
                                                   describe(v)));
                     return;
                 }
                 webhook.events.clear();
                 for (std::size_t i = 0; i < v.size(); ++i) {
                     if (auto event = to_event(v[i], p / i, checker)) {
                         webhook.events.push_back(*event);
                     }
                 }
             }},
            {"secret_file",
             [&](const Json& v, const KeyPath& p) {
                 webhook.secret_file = to_path(v, p, checker, base_dir).value_or("");
             }},
        },
        "an object (a webhook) such as {\"url\": \"https://hooks.example.com/mv\"}");
    if (is_object && !has_url) {
        checker.report_missing(path / "url",
                               "required: where to POST, such as \"https://hooks.example.com/mv\"");
    }
}

} // namespace

void read_hooks(const Json& value, const KeyPath& path, Checker& checker, Hooks& hooks) {
    visit_members(
        value, path, checker,
        {
            {"on_backup",
             [&](const Json& v, const KeyPath& p) { read_argv(v, p, checker, hooks.on_backup); }},
            {"on_failure",
             [&](const Json& v, const KeyPath& p) { read_argv(v, p, checker, hooks.on_failure); }},
            {"on_prune",
             [&](const Json& v, const KeyPath& p) { read_argv(v, p, checker, hooks.on_prune); }},
            {"on_restore",
             [&](const Json& v, const KeyPath& p) { read_argv(v, p, checker, hooks.on_restore); }},
            {"timeout",
             [&](const Json& v, const KeyPath& p) {
                 const auto timeout = to_duration(v, p, checker, k_min_hook_timeout);
                 if (timeout && *timeout > k_max_hook_timeout) {
                     checker.report(p, fmt::format("expected at most 1h, got {}", describe(v)));
                 } else if (timeout) {
                     hooks.timeout = *timeout;
                 }
             }},
            {"user",
             [&](const Json& v, const KeyPath& p) {
                 hooks.user = to_text(v, p, checker, check_user_name).value_or("");
             }},
        });
}

void read_watch_hooks(const Json& value, const KeyPath& path, Checker& checker, WatchHooks& hooks) {
    visit_members(
        value, path, checker,
        {
            {"on_backup",
             [&](const Json& v, const KeyPath& p) { read_argv(v, p, checker, hooks.on_backup); }},
            {"on_failure",
             [&](const Json& v, const KeyPath& p) { read_argv(v, p, checker, hooks.on_failure); }},
            {"on_prune",
             [&](const Json& v, const KeyPath& p) { read_argv(v, p, checker, hooks.on_prune); }},
            {"on_restore",
             [&](const Json& v, const KeyPath& p) { read_argv(v, p, checker, hooks.on_restore); }},
        },
        "an object with on_backup, on_failure, on_prune or on_restore (timeout and user are "
        "set in the top-level hooks)");
}

void read_webhooks(const Json& value, const KeyPath& path, Checker& checker,
                   const std::filesystem::path& base_dir, std::vector<Webhook>& webhooks) {
    if (!value.is_array()) {
        checker.report(
            path, fmt::format("expected an array of webhook objects, got {}", describe(value)));
        return;
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
        Webhook webhook;
        read_webhook(value[i], path / i, checker, base_dir, webhook);
        webhooks.push_back(std::move(webhook));
    }
}

void read_metrics(const Json& value, const KeyPath& path, Checker& checker,
                  const std::filesystem::path& base_dir, MetricsOutput& metrics) {
    bool has_textfile = false;
    const bool is_object = visit_members(
        value, path, checker,
        {
            {"textfile",
             [&](const Json& v, const KeyPath& p) {
                 has_textfile = true;
                 const auto file = to_path(v, p, checker, base_dir);
                 if (file && file->extension() != ".prom") {
                     checker.report(p, fmt::format("expected a file name ending in \".prom\" "
                                                   "(node_exporter's textfile collector reads "
                                                   "only those), got {}",
                                                   describe(v)));
                 } else if (file) {
                     metrics.textfile = *file;
                 }
             }},
        });
    if (is_object && !has_textfile) {
        checker.report_missing(path / "textfile",
                               "required: the file node_exporter reads, such as "
                               "\"/var/lib/prometheus/node-exporter/modelvault.prom\"");
    }
}

void read_reports(const Json& value, const KeyPath& path, Checker& checker,
                  const std::filesystem::path& base_dir, Reports& reports) {
    bool has_at = false;
    bool has_dir = false;
    const bool is_object =
        visit_members(value, path, checker,
                      {
                          {"at",
                           [&](const Json& v, const KeyPath& p) {
                               has_at = true;
                               if (const auto text = to_text(v, p, checker, check_time_of_day)) {
                                   reports.at = parse_time_of_day(*text);
                               }
                           }},
                          {"dir",
                           [&](const Json& v, const KeyPath& p) {
                               has_dir = true;
                               if (const auto dir = to_path(v, p, checker, base_dir)) {
                                   reports.dir = *dir;
                               }
                           }},
                      });
    if (is_object && !has_at) {
        checker.report_missing(path / "at", "required: the local time of the daily report, "
                                            "such as \"06:00\"");
    }
    if (is_object && !has_dir) {
        checker.report_missing(path / "dir", "required: the folder the reports go to, such as "
                                             "\"/var/lib/modelvault/reports\"");
    }
}

void read_dbus(const Json& value, const KeyPath& path, Checker& checker, DBus& dbus) {
    visit_members(value, path, checker,
                  {
                      {"bus",
                       [&](const Json& v, const KeyPath& p) {
                           const auto check = [](const std::string& text) {
                               if (text == "system" || text == "session" ||
                                   text.find(':') != std::string::npos) {
                                   return std::optional<std::string>();
                               }
                               return std::optional<std::string>(fmt::format(
                                   "expected \"system\", \"session\" or a D-Bus address such as "
                                   "\"unix:path=/run/dbus/system_bus_socket\", got {}",
                                   quote(text)));
                           };
                           dbus.bus = to_text(v, p, checker, check).value_or(dbus.bus);
                       }},
                  });
}

std::optional<std::uint64_t> to_size(const Json& value, const KeyPath& path, Checker& checker) {
    if (!value.is_string()) {
        checker.report(
            path, fmt::format("expected a size string such as \"10GiB\", got {}", describe(value)));
        return std::nullopt;
    }
    auto size = parse_size(value.get_ref<const std::string&>());
    if (!size) {
        checker.report(path, size.error());
        return std::nullopt;
    }
    return *size;
}

} // namespace mv::config::detail
