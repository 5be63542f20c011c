// list, show.
#include <algorithm>

#include <fmt/format.h>

#include "daemon/commands/common.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/daemon.hpp"
#include "daemon/metric_query.hpp"

namespace mv::daemon::commands {

namespace {

std::optional<SystemTime> optional_time(const json& args, const char* key) {
    const auto text = optional_string(args, key);
    if (!text) {
        return std::nullopt;
    }
    return value_or_throw(parse_time(*text), fmt::format("argument \"{}\": ", key),
                          ErrorCode::invalid_argument);
}

void list(CommandContext& c) {
    const vault::Vault& vault = c.daemon.vault();
    std::vector<std::string> models;
    if (auto model = optional_string(c.args, "model")) {
        if (vault.versions(*model).empty()) {
            throw Error(fmt::format("no model {} in the vault; `modelvaultctl list` shows every "
                                    "version of every model",
                                    *model),
                        ErrorCode::not_found);
        }
        models.push_back(*model);
    } else {
        models = vault.models();
    }
    std::vector<MetricCondition> conditions;
    for (const auto& text : string_list(c.args, "where")) {
        conditions.push_back(
            value_or_throw(parse_condition(text), "", ErrorCode::invalid_argument));
    }
    std::optional<MetricOrder> order;
    if (const auto text = optional_string(c.args, "sort")) {
        order = value_or_throw(parse_order(*text), "", ErrorCode::invalid_argument);
    }
    const auto tag = optional_string(c.args, "tag");
    const auto since = optional_time(c.args, "since");
    const auto until = optional_time(c.args, "until");
    // A metric no version records is most likely misspelled: say so instead of silently
    // matching nothing.
    std::vector<std::string> named;
    for (const auto& condition : conditions) {
        named.push_back(condition.metric);
    }
    if (order) {
        named.push_back(order->metric);
    }
    json warnings = json::array();
    for (const auto& metric : named) {
        const bool recorded = std::any_of(models.begin(), models.end(), [&](const auto& model) {
            const auto all = vault.versions(model);
            return std::any_of(all.begin(), all.end(), [&](const auto& m) {
                return find_metric(m.metrics, metric).has_value();
            });
        });
        if (!recorded) {
            warnings.push_back(fmt::format(
                "no version records a numeric metric \"{}\"; `modelvaultctl show MODEL` lists "
                "the metrics of a version",
                metric));
        }
    }
    std::vector<vault::Manifest> selected;
    for (const auto& model : models) {
        for (auto& m : vault.versions(model)) {
            const auto tags = tag ? vault.tags_of(m) : std::vector<std::string>{};
            const bool metrics_match = std::all_of(
                conditions.begin(), conditions.end(),
                [&](const MetricCondition& condition) { return condition.matches(m.metrics); });
            if (!metrics_match ||
                (tag && std::find(tags.begin(), tags.end(), *tag) == tags.end()) ||
                (since && m.created < *since) || (until && m.created > *until)) {
                continue;
            }
            selected.push_back(std::move(m));
        }
    }
    // Newest first; the sequence orders versions made within the same second.
    std::sort(selected.begin(), selected.end(), [](const auto& a, const auto& b) {
        if (a.created != b.created) {
            return a.created > b.created;
        }
        return a.model != b.model ? a.model < b.model : a.sequence > b.sequence;
    });
    if (order) {
        // By the metric (versions without it last), ties newest first.
        std::stable_sort(selected.begin(), selected.end(), [&](const auto& a, const auto& b) {
            const auto x = find_metric(a.metrics, order->metric);
            const auto y = find_metric(b.metrics, order->metric);
            if (!x || !y) {
                return x.has_value() && !y.has_value();
            }
            return order->descending ? *x > *y : *x < *y;
        });
    }
    if (const auto limit = optional_count(c.args, "limit"); limit && selected.size() > *limit) {
        selected.resize(*limit);
    }
    json rows = json::array();
    for (const auto& m : selected) {
        rows.push_back(version_summary(vault, m));
    }
    json result = {{"versions", std::move(rows)}};
    if (!warnings.empty()) {
        result["warnings"] = std::move(warnings);
    }
    c.responder->succeed(std::move(result));
}

void show(CommandContext& c) {
    const auto manifest = resolve(c.daemon.vault(), parse_target(c.daemon.vault(), c.args));
    c.responder->succeed({{"manifest", manifest_json(c.daemon.vault(), manifest)},
                          {"archive", c.daemon.vault().archive_path(manifest).string()}});
}

void history(CommandContext& c) {
    const vault::Vault& vault = c.daemon.vault();
    const Target target = parse_target(vault, c.args);
    json records = json::array();
    for (const auto& r : vault.history(target.model)) {
        records.push_back({{"time", format_utc(r.time)},
                           {"pointer", vault::to_string(r.pointer)},
                           {"from", r.from ? json(r.from->to_string()) : json(nullptr)},
                           {"to", r.to ? json(r.to->to_string()) : json(nullptr)},
                           {"reason", r.reason},
                           {"uid", r.uid}});
    }
    const auto pointer = [&](vault::Pointer p) {
        const auto v = vault.pointer(target.model, p);
        return v ? json(v->to_string()) : json(nullptr);
    };
    c.responder->succeed({{"model", target.model},
                          {"best", pointer(vault::Pointer::best)},
                          {"current", pointer(vault::Pointer::current)},
                          {"history", std::move(records)}});
}

} // namespace

void register_versions(CommandRegistry& registry) {
    registry.add({"list", AccessLevel::read, "versions, newest first", list});
    registry.add({"show", AccessLevel::read, "one version's manifest", show});
    registry.add(
        {"history", AccessLevel::read, "the audit history of `best` and `current`", history});
}

} // namespace mv::daemon::commands
