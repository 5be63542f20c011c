#include "daemon/run_stats.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "util/time.hpp"
#include "vault/diff.hpp"

namespace mv::daemon {

namespace {

using nlohmann::json;

struct MetricSummary {
    std::size_t count = 0;
    double min = 0;
    double max = 0;
    double sum = 0;
    double best = 0;
    std::string best_version; ///< MODEL@VERSION
};

// Counts, bytes and metric summaries of one set of versions.
json summary(const std::vector<const vault::Manifest*>& versions,
             const std::set<std::string>& lower_is_better) {
    std::uint64_t logical = 0;
    std::uint64_t stored = 0;
    std::set<std::string> models;
    json triggers = json::object();
    std::map<std::string, MetricSummary> metrics;
    for (const auto* m : versions) {
        logical += m->total_size();
        stored += m->storage.new_bytes;
        models.insert(m->model);
        const char* trigger = vault::to_string(m->trigger);
        triggers[trigger] = triggers.value(trigger, 0) + 1;
        for (const auto& [pointer, value] : vault::numeric_leaves(m->metrics)) {
            if (std::isnan(value)) {
                continue;
            }
            auto& s = metrics[pointer];
            const bool lower = lower_is_better.count(pointer) > 0;
            if (s.count == 0 || (lower ? value < s.best : value > s.best)) {
                s.best = value;
                s.best_version = m->model + "@" + m->version.to_string();
            }
            s.min = s.count == 0 ? value : std::min(s.min, value);
            s.max = s.count == 0 ? value : std::max(s.max, value);
            s.sum += value;
            ++s.count;
        }
    }
    json metric_json = json::object();
    for (const auto& [pointer, s] : metrics) {
        metric_json[pointer] = {{"count", s.count},
                                {"min", s.min},
                                {"max", s.max},
                                {"mean", s.sum / static_cast<double>(s.count)},
                                {"best", s.best},
                                {"best_version", s.best_version},
                                {"best_is", lower_is_better.count(pointer) ? "lowest" : "highest"}};
    }
    return {{"versions", versions.size()},
            {"models", models.size()},
            {"logical_bytes", logical},
            {"stored_bytes", stored},
            {"saved_bytes", logical > stored ? logical - stored : 0},
            {"by_trigger", std::move(triggers)},
            {"metrics", std::move(metric_json)}};
}

// "2026-11-30": the UTC day, or the Monday that starts the ISO week.
std::string period_of(SystemTime created, Period period) {
    using days = std::chrono::duration<std::int64_t, std::ratio<86400>>;
    auto day = std::chrono::floor<days>(created.time_since_epoch()).count();
    if (period == Period::week) {
        day -= (day + 3) % 7; // 1970-01-01 was a Thursday: Monday is 3 days before
    }
    return format_utc(SystemTime(std::chrono::duration_cast<SystemTime::duration>(days(day))))
        .substr(0, 10);
}

// The value of the --by field, as a group name.
std::string group_of(const vault::Manifest& m, const FieldRef& by) {
    const json* value = find_field(by, m.params, m.metrics);
    if (value == nullptr) {
        return "(none)";
    }
    return value->is_string() ? value->get<std::string>() : value->dump();
}

json grouped(const std::vector<const vault::Manifest*>& versions,
             const std::function<std::string(const vault::Manifest&)>& key_of, const char* name,
             const std::set<std::string>& lower_is_better) {
    std::map<std::string, std::vector<const vault::Manifest*>> groups;
    for (const auto* m : versions) {
        groups[key_of(*m)].push_back(m);
    }
    json list = json::array();
    for (const auto& [key, members] : groups) {
        json entry = summary(members, lower_is_better);
        entry[name] = key;
        list.push_back(std::move(entry));
    }
    return list;
}

} // namespace

json version_stats(const std::vector<vault::Manifest>& versions, const StatsRequest& request) {
    std::vector<const vault::Manifest*> all;
    for (const auto& m : versions) {
        all.push_back(&m);
    }
    json result = summary(all, request.lower_is_better);
    result["per_model"] = grouped(
        all, [](const vault::Manifest& m) { return m.model; }, "model", request.lower_is_better);
    if (request.by) {
        result["groups"] = grouped(
            all, [&](const vault::Manifest& m) { return group_of(m, *request.by); }, "group",
            request.lower_is_better);
    }
    if (request.over != Period::none) {
        result["periods"] = grouped(
            all, [&](const vault::Manifest& m) { return period_of(m.created, request.over); },
            "start", request.lower_is_better);
    }
    return result;
}

} // namespace mv::daemon
