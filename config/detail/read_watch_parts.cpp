// The nested objects of a watch: triggers, compat and retention.
#include <algorithm>
#include <limits>

#include "config/detail/read_watch.hpp"
#include "config/detail/text_checks.hpp"

namespace mv::config::detail {

namespace {

using namespace std::chrono_literals;

constexpr std::int64_t k_int64_max = std::numeric_limits<std::int64_t>::max();

// A schedule faster than this would back up continuously rather than on schedule.
constexpr Duration k_min_schedule_every = 1s;

std::vector<TimeOfDay> read_times(const Json& value, const KeyPath& path, Checker& checker) {
    std::vector<TimeOfDay> times;
    if (!value.is_array()) {
        to_text_list(value, path, checker); // reports the type
        return times;
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto text = to_text(value[i], path / i, checker, check_time_of_day);
        if (!text) {
            continue;
        }
        const TimeOfDay time = parse_time_of_day(*text);
        if (std::find(times.begin(), times.end(), time) != times.end()) {
            checker.report(path / i,
                           fmt::format("{} is listed twice; list each time once", quote(*text)));
            continue;
        }
        times.push_back(time);
    }
    std::sort(times.begin(), times.end(), [](const TimeOfDay& a, const TimeOfDay& b) {
        return a.hour != b.hour ? a.hour < b.hour : a.minute < b.minute;
    });
    return times;
}

void read_schedule(const Json& value, const KeyPath& path, Checker& checker, WatchMode mode,
                   ScheduleTrigger& schedule) {
    bool has_every = false;
    bool has_at = false;
    const bool is_object =
        visit_members(value, path, checker,
                      {
                          {"every",
                           [&](const Json& v, const KeyPath& p) {
                               has_every = true;
                               schedule.every = to_duration(v, p, checker, k_min_schedule_every);
                           }},
                          {"at",
                           [&](const Json& v, const KeyPath& p) {
                               has_at = !(v.is_array() && v.empty());
                               schedule.at = read_times(v, p, checker);
                           }},
                      });
    // A watch may still add "every" or "at" to a schedule it inherits from defaults.
    if (is_object && mode == WatchMode::complete && !has_every && !has_at) {
        checker.report(path, fmt::format("expected \"every\" and/or \"at\", such as "
                                         "{{\"every\": \"6h\"}}, got {}",
                                         describe(value)));
    }
}

void read_improvement(const Json& value, const KeyPath& path, Checker& checker, WatchMode mode,
                      ImprovementTrigger& improvement) {
    bool has_metric = false;
    const bool is_object = visit_members(
        value, path, checker,
        {
            {"metrics_file",
             [&](const Json& v, const KeyPath& p) {
                 if (auto file = to_text(v, p, checker, check_template)) {
                     improvement.metrics_file = *file;
                 }
             }},
            {"metric",
             [&](const Json& v, const KeyPath& p) {
                 has_metric = true;
                 if (auto pointer = to_text(v, p, checker, check_json_pointer)) {
                     improvement.metric = *pointer;
                 }
             }},
            {"mode",
             [&](const Json& v, const KeyPath& p) {
                 if (auto metric_mode = to_enum<MetricMode>(
                         v, p, checker, {{"max", MetricMode::max}, {"min", MetricMode::min}})) {
                     improvement.mode = *metric_mode;
                 }
             }},
            {"min_delta",
             [&](const Json& v, const KeyPath& p) {
                 if (auto delta = to_number(v, p, checker, 0.0, "a non-negative number")) {
                     improvement.min_delta = *delta;
                 }
             }},
            {"min_relative",
             [&](const Json& v, const KeyPath& p) {
                 if (auto relative =
                         to_number(v, p, checker, 0.0, "a non-negative number (0.05 = 5 %)")) {
                     improvement.min_relative = *relative;
                 }
             }},
        });
    if (is_object && mode == WatchMode::complete && !has_metric) {
        checker.report_missing(path / "metric", "required: the JSON pointer of the metric in "
                                                "the metrics file, such as \"/eval/win_rate\"");
    }
}

void read_steps(const Json& value, const KeyPath& path, Checker& checker, WatchMode mode,
                StepsTrigger& steps) {
    bool has_counter = false;
    bool has_every = false;
    const bool is_object = visit_members(
        value, path, checker,
        {
            {"metrics_file",
             [&](const Json& v, const KeyPath& p) {
                 if (auto file = to_text(v, p, checker, check_template)) {
                     steps.metrics_file = *file;
                 }
             }},
            {"counter",
             [&](const Json& v, const KeyPath& p) {
                 has_counter = true;
                 if (auto pointer = to_text(v, p, checker, check_json_pointer)) {
                     steps.counter = *pointer;
                 }
             }},
            {"every",
             [&](const Json& v, const KeyPath& p) {
                 has_every = true;
                 if (auto every = to_integer(v, p, checker, 1, k_int64_max, "a positive integer")) {
                     steps.every = *every;
                 }
             }},
        });
    if (!is_object || mode == WatchMode::defaults) {
        return;
    }
    if (!has_counter) {
        checker.report_missing(path / "counter", "required: the JSON pointer of the step "
                                                 "counter in the metrics file, such as "
                                                 "\"/episode\"");
    }
    if (!has_every) {
        checker.report_missing(path / "every",
                               "required: a positive integer, the number of steps between "
                               "versions");
    }
}

} // namespace

void read_triggers(const Json& value, const KeyPath& path, Checker& checker, WatchMode mode,
                   Triggers& triggers) {
    visit_members(value, path, checker,
                  {
                      {"on_change",
                       [&](const Json& v, const KeyPath& p) {
                           if (auto on_change = to_bool(v, p, checker)) {
                               triggers.on_change = *on_change;
                           }
                       }},
                      {"schedule",
                       [&](const Json& v, const KeyPath& p) {
                           read_schedule(v, p, checker, mode, triggers.schedule.emplace());
                       }},
                      {"improvement",
                       [&](const Json& v, const KeyPath& p) {
                           read_improvement(v, p, checker, mode, triggers.improvement.emplace());
                       }},
                      {"steps",
                       [&](const Json& v, const KeyPath& p) {
                           read_steps(v, p, checker, mode, triggers.steps.emplace());
                       }},
                      {"metrics_wait",
                       [&](const Json& v, const KeyPath& p) {
                           if (auto wait = to_duration(v, p, checker)) {
                               triggers.metrics_wait = *wait;
                           }
                       }},
                  });
}

void read_compat(const Json& value, const KeyPath& path, Checker& checker, WatchMode mode,
                 Compat& compat) {
    bool has_file = false;
    bool has_keys = false;
    const bool is_object = visit_members(
        value, path, checker,
        {
            {"file",
             [&](const Json& v, const KeyPath& p) {
                 has_file = true;
                 if (auto file = to_text(v, p, checker, check_relative_file)) {
                     compat.file = *file;
                 }
             }},
            {"keys",
             [&](const Json& v, const KeyPath& p) {
                 has_keys = true;
                 if (v.is_array() && v.empty()) {
                     checker.report(p, "expected a non-empty array of JSON pointers such as "
                                       "[\"/policy_architecture\"], got []");
                 } else if (auto keys = to_text_list(v, p, checker, check_json_pointer)) {
                     compat.keys = std::move(*keys);
                 }
             }},
        });
    if (!is_object || mode == WatchMode::defaults) {
        return;
    }
    if (!has_file) {
        checker.report_missing(path / "file", "required: the JSON file next to the model "
                                              "whose keys decide compatibility, such as "
                                              "\"config.json\"");
    }
    if (!has_keys) {
        checker.report_missing(path / "keys",
                               "required: the JSON pointers whose change means "
                               "a major version, such as [\"/policy_architecture\"]");
    }
}

void read_retention(const Json& value, const KeyPath& path, Checker& checker,
                    RetentionPolicy& retention) {
    const auto count = [&checker](std::optional<int>& field) {
        return [&checker, &field](const Json& v, const KeyPath& p) {
            if (auto number = to_integer(v, p, checker, 0, k_int_max, "a non-negative integer")) {
                field = static_cast<int>(*number);
            }
        };
    };
    const auto within = [&checker](std::optional<Duration>& field) {
        return [&checker, &field](const Json& v, const KeyPath& p) {
            if (auto duration = to_duration(v, p, checker)) {
                field = *duration;
            }
        };
    };
    visit_members(value, path, checker,
                  {
                      {"keep_last", count(retention.keep_last)},
                      {"keep_hourly", count(retention.keep_hourly)},
                      {"keep_daily", count(retention.keep_daily)},
                      {"keep_weekly", count(retention.keep_weekly)},
                      {"keep_monthly", count(retention.keep_monthly)},
                      {"keep_yearly", count(retention.keep_yearly)},
                      {"keep_within", within(retention.keep_within)},
                      {"keep_within_hourly", within(retention.keep_within_hourly)},
                      {"keep_within_daily", within(retention.keep_within_daily)},
                      {"keep_within_weekly", within(retention.keep_within_weekly)},
                      {"keep_within_monthly", within(retention.keep_within_monthly)},
                      {"keep_within_yearly", within(retention.keep_within_yearly)},
                      {"keep_tags",
                       [&](const Json& v, const KeyPath& p) {
                           if (auto tags = to_text_list(v, p, checker, check_tag_name)) {
                               retention.keep_tags = std::move(*tags);
                           }
                       }},
                      {"max_versions",
                       [&](const Json& v, const KeyPath& p) {
                           if (auto number = to_integer(v, p, checker, 1, k_int_max,
                                                        "an integer of at least 1")) {
                               retention.max_versions = static_cast<int>(*number);
                           }
                       }},
                  });
}

} // namespace mv::config::detail
