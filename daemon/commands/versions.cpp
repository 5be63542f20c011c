// list, show.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "daemon/commands/common.hpp"
#include "daemon/commands/compatible.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/metric_query.hpp"
#include "daemon/services.hpp"
#include "daemon/where_clause.hpp"
#include "vault/compat.hpp"
#include "vault/vault.hpp"

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

// A field no version records is most likely misspelled: say so instead of silently
// matching nothing.
void warn_about_unrecorded(const vault::Vault& vault, const std::vector<std::string>& models,
                           const std::vector<FieldRef>& fields, json& warnings) {
    for (const auto& field : fields) {
        const bool recorded = std::any_of(models.begin(), models.end(), [&](const auto& model) {
            const auto all = vault.versions(model);
            return std::any_of(all.begin(), all.end(), [&](const auto& m) {
                return find_field(field, m.params, m.metrics) != nullptr;
            });
        });
        if (!recorded) {
            warnings.push_back(fmt::format("no version records \"{}\"; `modelvaultctl show "
                                           "MODEL` lists the params and metrics of a version",
                                           field.text));
        }
    }
}

// Newest first (the sequence orders versions made within the same second), or by the
// field of `order` (versions without a number there last, ties newest first).
void sort_versions(std::vector<vault::Manifest>& selected,
                   const std::optional<MetricOrder>& order) {
    std::sort(selected.begin(), selected.end(), [](const auto& a, const auto& b) {
        if (a.created != b.created) {
            return a.created > b.created;
        }
        return a.model != b.model ? a.model < b.model : a.sequence > b.sequence;
    });
    if (order) {
        std::stable_sort(selected.begin(), selected.end(), [&](const auto& a, const auto& b) {
            const auto x = find_number(order->field, a.params, a.metrics);
            const auto y = find_number(order->field, b.params, b.metrics);
            if (!x || !y) {
                return x.has_value() && !y.has_value();
            }
            return order->descending ? *x > *y : *x < *y;
        });
    }
}

// The rows of `list`, with the value of each field named by --where and --sort (the
// columns of the table).
json list_result(const vault::Vault& vault, const std::vector<vault::Manifest>& selected,
                 const std::vector<FieldRef>& named, json warnings) {
    std::vector<const FieldRef*> columns;
    for (const auto& field : named) {
        if (std::none_of(columns.begin(), columns.end(),
                         [&](const FieldRef* f) { return f->text == field.text; })) {
            columns.push_back(&field);
        }
    }
    json rows = json::array();
    json titles = json::array();
    for (const auto* field : columns) {
        titles.push_back(field->text);
    }
    for (const auto& m : selected) {
        json row = version_summary(vault, m);
        json values = json::object();
        for (const auto* field : columns) {
            const json* value = find_field(*field, m.params, m.metrics);
            values[field->text] = value != nullptr ? *value : json(nullptr);
        }
        row["named_metrics"] = std::move(values);
        rows.push_back(std::move(row));
    }
    json result = {{"versions", std::move(rows)}, {"metric_columns", std::move(titles)}};
    if (!warnings.empty()) {
        result["warnings"] = std::move(warnings);
    }
    return result;
}

// What `list` keeps besides compat: tag, time range and the --where conditions.
struct ListFilter {
    std::vector<Condition> conditions;
    std::optional<std::string> tag;
    std::optional<SystemTime> since;
    std::optional<SystemTime> until;

    bool keeps(const vault::Vault& vault, const vault::Manifest& m) const {
        const auto tags = tag ? vault.tags_of(m) : std::vector<std::string>{};
        return std::all_of(conditions.begin(), conditions.end(),
                           [&](const Condition& c) { return c.matches(m.params, m.metrics); }) &&
               (!tag || std::find(tags.begin(), tags.end(), *tag) != tags.end()) &&
               (!since || m.created >= *since) && (!until || m.created <= *until);
    }
};

void list(CommandContext& c) {
    const vault::Vault& vault = c.services.vault();
    std::vector<std::string> models = models_in_scope(c.services, optional_string(c.args, "model"));
    ListFilter filter;
    std::vector<FieldRef> named;
    for (const auto& text : string_list(c.args, "where")) {
        filter.conditions.push_back(
            value_or_throw(parse_condition(text), "", ErrorCode::invalid_argument));
        named.push_back(filter.conditions.back().field);
    }
    std::optional<MetricOrder> order;
    if (const auto text = optional_string(c.args, "sort")) {
        order = value_or_throw(parse_order(*text), "", ErrorCode::invalid_argument);
        named.push_back(order->field);
    }
    filter.tag = optional_string(c.args, "tag");
    filter.since = optional_time(c.args, "since");
    filter.until = optional_time(c.args, "until");
    json warnings = json::array();
    warn_about_unrecorded(vault, models, named, warnings);
    // --compatible-with: only versions whose compat values match the run's file.
    const auto run = optional_run_compat(c.args);
    const auto rules = run ? compat_rules_for(c.services, models, *run, warnings)
                           : std::map<std::string, config::Compat>{};
    std::vector<vault::Manifest> selected;
    for (const auto& model : models) {
        std::size_t incompatible = 0;
        for (auto& m : vault.versions(model)) {
            if (run &&
                !vault::compat_differences(rules.at(model), m.compat, run->document).empty()) {
                ++incompatible;
            } else if (filter.keeps(vault, m)) {
                selected.push_back(std::move(m));
            }
        }
        if (incompatible > 0) {
            warnings.push_back(fmt::format("{} version(s) of {} do not match {} and are not "
                                           "shown",
                                           incompatible, model, run->name));
        }
    }
    sort_versions(selected, order);
    // --offset then --limit: one page of the sorted list.
    const std::size_t offset =
        std::min<std::size_t>(optional_count(c.args, "offset").value_or(0), selected.size());
    selected.erase(selected.begin(), selected.begin() + static_cast<std::ptrdiff_t>(offset));
    if (const auto limit = optional_count(c.args, "limit"); limit && selected.size() > *limit) {
        selected.resize(*limit);
    }
    c.responder->succeed(list_result(vault, selected, named, std::move(warnings)));
}

void show(CommandContext& c) {
    const auto manifest = resolve(c.services.vault(), parse_target(c.services.vault(), c.args));
    c.responder->succeed({{"manifest", manifest_json(c.services.vault(), manifest)},
                          {"manifest_file", c.services.vault().manifest_path(manifest).string()}});
}

void history(CommandContext& c) {
    const vault::Vault& vault = c.services.vault();
    const Target target = parse_target(vault, c.args);
    // A model whose versions were all removed still has its history; a name the vault has
    // never seen is most likely a typo.
    if (vault.versions(target.model).empty() && vault.history(target.model).empty()) {
        throw unknown_model(vault, target.model);
    }
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
