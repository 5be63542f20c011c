#include "daemon/pruner.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/duration.hpp"
#include "retention/keep_rules.hpp"

namespace mv::daemon {

PruneReport prune_model(vault::Vault& vault, const std::string& model,
                        const std::optional<config::RetentionPolicy>& policy, SystemTime now,
                        DryRun dry_run) {
    PruneReport report;
    report.model = model;
    report.has_policy = !retention::keeps_everything(policy);
    const auto versions = vault.versions(model);
    const auto best = vault.pointer(model, vault::Pointer::best);
    const auto current = vault.pointer(model, vault::Pointer::current);
    std::vector<retention::Candidate> candidates;
    candidates.reserve(versions.size());
    // Highest sequence first: retention keeps input order among equal creation times (saves
    // within one second), and the version made last is the newer one.
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        const auto& m = *it;
        candidates.push_back(
            {m.version.to_string(), m.created, m.tags, best == m.version, current == m.version});
    }
    report.decisions = retention::decide(std::move(candidates), policy, now);
    std::vector<std::pair<std::string, vault::Version>> doomed;
    for (const auto& decision : report.decisions) {
        if (decision.verdict != retention::Verdict::remove) {
            continue;
        }
        const auto version = vault::Version::parse(decision.id);
        const auto manifest = version ? vault.find(model, *version) : std::nullopt;
        if (!manifest) {
            continue;
        }
        if (dry_run == DryRun::yes) {
            doomed.emplace_back(model, *version);
            continue;
        }
        try {
            vault.remove_version(model, *version,
                                 fmt::format("retention: {}", fmt::join(decision.reasons, ", ")));
            report.removed.push_back(decision.id);
            spdlog::info("{} {} removed by retention ({})", model, decision.id,
                         fmt::join(decision.reasons, ", "));
        } catch (const Error& e) {
            report.errors.push_back(fmt::format("{}: {}", decision.id, e.what()));
            spdlog::error("{} {}: retention could not remove it: {}", model, decision.id, e.what());
        }
    }
    // Removing versions frees nothing by itself: their chunks go (unless other versions
    // share them) when the vault collects. The bytes reported are the pack bytes freed.
    try {
        if (dry_run == DryRun::yes && !doomed.empty()) {
            report.reclaimed_bytes = vault.freed_if_removed(doomed);
        } else if (!report.removed.empty() || (dry_run == DryRun::no && vault.collection_due())) {
            // Also when a collection after earlier removals was cut short (a crash, a
            // full disk): their chunks would otherwise wait for the next removal.
            const auto collected = vault.collect({});
            report.reclaimed_bytes = collected.freed_bytes;
            if (!collected.skipped.empty()) {
                report.errors.push_back("no space was freed: " + collected.skipped);
            }
        }
    } catch (const Error& e) {
        report.errors.push_back(fmt::format("collecting unreferenced chunks failed: {}", e.what()));
        spdlog::error("{}: collecting unreferenced chunks failed: {}", model, e.what());
    }
    return report;
}

std::string describe_policy(const std::optional<config::RetentionPolicy>& policy) {
    if (retention::keeps_everything(policy)) {
        return "keep everything";
    }
    const auto& p = *policy;
    std::vector<std::string> parts;
    const auto count = [&](const char* name, const std::optional<int>& value) {
        if (value && *value > 0) {
            parts.push_back(fmt::format("{} {}", name, *value));
        }
    };
    const auto within = [&](const char* name, const std::optional<config::Duration>& value) {
        if (value && value->count() > 0) {
            parts.push_back(fmt::format("{} {}", name, retention::format_rule_duration(*value)));
        }
    };
    count("last", p.keep_last);
    count("hourly", p.keep_hourly);
    count("daily", p.keep_daily);
    count("weekly", p.keep_weekly);
    count("monthly", p.keep_monthly);
    count("yearly", p.keep_yearly);
    within("within", p.keep_within);
    within("within hourly", p.keep_within_hourly);
    within("within daily", p.keep_within_daily);
    within("within weekly", p.keep_within_weekly);
    within("within monthly", p.keep_within_monthly);
    within("within yearly", p.keep_within_yearly);
    if (!p.keep_tags.empty()) {
        parts.push_back(fmt::format("tags {}", fmt::join(p.keep_tags, ",")));
    }
    std::string text =
        parts.empty() ? "keep everything" : "keep " + fmt::format("{}", fmt::join(parts, ", "));
    if (p.max_versions) {
        text += fmt::format("; at most {}", *p.max_versions);
    }
    return text;
}

} // namespace mv::daemon
