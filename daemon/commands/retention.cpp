// prune [MODEL] [--dry-run], tag MODEL@SEL add|rm TAG. Both run as jobs keyed by the
// model: they never race a backup, a prune or a retag of the same model.
#include <algorithm>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/backup_service.hpp"
#include "daemon/commands/common.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/job_queue.hpp"
#include "daemon/services.hpp"
#include "vault/vault.hpp"

namespace mv::daemon::commands {

namespace {

json report_json(const PruneReport& report, const std::string& policy) {
    json versions = json::array();
    std::size_t kept = 0;
    for (const auto& d : report.decisions) {
        kept += d.verdict == retention::Verdict::keep ? 1 : 0;
        versions.push_back({{"version", d.id},
                            {"created", format_utc(d.time)},
                            {"verdict", retention::to_string(d.verdict)},
                            {"reasons", d.reasons}});
    }
    return {{"model", report.model},
            {"policy", policy},
            {"versions", std::move(versions)},
            {"kept", kept},
            {"removed", report.decisions.size() - kept},
            {"reclaimed_bytes", report.reclaimed_bytes},
            {"errors", report.errors}};
}

struct PruneBatch {
    std::mutex mutex;
    std::vector<json> models;
    std::size_t remaining = 0;
    bool dry_run = true;
    std::shared_ptr<ipc::Responder> responder;
};

void prune(CommandContext& c) {
    Services& d = c.services;
    std::vector<std::string> models;
    if (const auto model = optional_string(c.args, "model")) {
        if (d.vault().versions(*model).empty()) {
            throw Error(fmt::format("no model {} in the vault", *model), ErrorCode::not_found);
        }
        models.push_back(*model);
    } else {
        models = d.vault().models();
    }
    auto batch = std::make_shared<PruneBatch>();
    batch->dry_run = flag(c.args, "dry_run");
    batch->remaining = models.size();
    batch->responder = c.responder;
    if (models.empty()) {
        c.responder->succeed({{"dry_run", batch->dry_run}, {"models", json::array()}});
        return;
    }
    for (const auto& model : models) {
        d.backup_jobs().submit(model, [&d, model, batch](const std::stop_token&) {
            json row;
            try {
                const auto report =
                    d.backups().prune(model, batch->dry_run ? DryRun::yes : DryRun::no);
                row = report_json(report, describe_policy(d.backups().policy_for(model)));
            } catch (const std::exception& e) {
                row = {{"model", model}, {"errors", json::array({e.what()})}};
            }
            std::lock_guard lock(batch->mutex);
            batch->models.push_back(std::move(row));
            if (--batch->remaining == 0) {
                std::sort(batch->models.begin(), batch->models.end(),
                          [](const json& a, const json& b) { return a["model"] < b["model"]; });
                batch->responder->succeed(
                    {{"dry_run", batch->dry_run}, {"models", std::move(batch->models)}});
            }
        });
    }
}

void tag(CommandContext& c) {
    Services& d = c.services;
    const Target target = parse_target(d.vault(), c.args);
    const std::string action = required_string(c.args, "action");
    const std::string name = required_string(c.args, "tag");
    if (action != "add" && action != "rm") {
        throw Error(fmt::format("action \"{}\" is not add or rm", action),
                    ErrorCode::invalid_argument);
    }
    check_tag(name);
    resolve(d.vault(), target); // fail now, with the list of versions, if SEL matches nothing
    d.backup_jobs().submit(
        target.model, [&d, target, action, name, responder = c.responder](const std::stop_token&) {
            try {
                const auto manifest = resolve(d.vault(), target);
                auto tags = manifest.tags;
                const bool had = std::find(tags.begin(), tags.end(), name) != tags.end();
                if (action == "rm" && !had) {
                    responder->fail(ErrorCode::not_found,
                                    fmt::format("{} {} has no tag '{}'", manifest.model,
                                                manifest.version.to_string(), name));
                    return;
                }
                if (action == "add") {
                    tags.push_back(name);
                } else {
                    std::erase(tags, name);
                }
                const auto updated = d.vault().set_tags(manifest.model, manifest.version, tags);
                spdlog::info("{} {}: tag {} {}", manifest.model, manifest.version.to_string(), name,
                             action == "add" ? "added" : "removed");
                responder->succeed({{"model", updated.model},
                                    {"version", updated.version.to_string()},
                                    {"tags", d.vault().tags_of(updated)}});
            } catch (const Error& e) {
                responder->fail(e.code(), e.what());
            }
        });
}

} // namespace

void register_retention(CommandRegistry& registry) {
    registry.add({"prune", AccessLevel::write,
                  "apply retention now, or show what it would keep and remove", prune});
    registry.add({"tag", AccessLevel::write, "add or remove a version's tag", tag});
}

} // namespace mv::daemon::commands
