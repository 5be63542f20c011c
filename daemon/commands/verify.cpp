// verify [MODEL[@SEL]] | all [read_data]: checks versions on the verification worker — their
// manifests and that every chunk is stored, and with read_data every byte re-read and
// re-hashed (docs/FORMAT.md "Verification").
#include <fmt/format.h>

#include "daemon/commands/common.hpp"
#include "daemon/commands/progress_throttle.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/job_queue.hpp"
#include "daemon/services.hpp"
#include "vault/vault.hpp"

namespace mv::daemon::commands {

namespace {

// The versions to check, and the damaged manifests among them (their versions are hidden:
// each one fails).
std::vector<vault::Manifest> targets_of(const vault::Vault& vault, const json& args,
                                        std::vector<vault::DamagedVersion>& damaged) {
    std::vector<vault::Manifest> targets;
    if (flag(args, "all")) {
        for (const auto& model : vault.models()) {
            for (auto& m : vault.versions(model)) {
                targets.push_back(std::move(m));
            }
        }
        damaged = vault.damaged();
        return targets;
    }
    const Target target = parse_target(vault, args);
    if (target.selector.empty()) {
        damaged = vault.damaged(target.model);
        return vault.versions(target.model); // every version of the model
    }
    return {resolve(vault, target)};
}

json damaged_rows(const std::vector<vault::DamagedVersion>& damaged) {
    json rows = json::array();
    for (const auto& entry : damaged) {
        rows.push_back(
            {{"model", entry.model.empty() ? std::string("?") : entry.model},
             {"version", entry.version ? entry.version->to_string() : "?"},
             {"manifest", entry.file.filename().string()},
             {"ok", false},
             {"problems", json::array({fmt::format("the manifest {} is damaged: {}",
                                                   entry.file.string(), entry.problem)})}});
    }
    return rows;
}

void verify(CommandContext& c) {
    Services& d = c.services;
    vault::Vault& vault = d.vault();
    std::vector<vault::DamagedVersion> damaged;
    const auto targets = targets_of(vault, c.args, damaged);
    const auto depth =
        flag(c.args, "read_data") ? vault::VerifyDepth::read_data : vault::VerifyDepth::structure;
    std::uint64_t total = 0;
    for (const auto& m : targets) {
        total += depth == vault::VerifyDepth::read_data ? m.total_size() : 0;
    }
    const bool check_all_packs = flag(c.args, "all") && depth == vault::VerifyDepth::read_data;
    d.check_jobs().submit("verify", [&vault, targets, rows = damaged_rows(damaged), depth, total,
                                     check_all_packs, &clock = d.clock(),
                                     responder = c.responder](const std::stop_token& stop) {
        json results = rows;
        ProgressThrottle throttle(clock);
        std::size_t failed = rows.size();
        std::size_t checked = rows.size();
        std::uint64_t done_before = 0;
        for (std::size_t i = 0; i < targets.size(); ++i) {
            const auto& m = targets[i];
            if (stop.stop_requested() || !responder->connected()) {
                responder->fail(ErrorCode::unavailable, "verification abandoned");
                return;
            }
            const auto report = [&](std::uint64_t bytes) {
                if (throttle.due()) {
                    responder->progress({{"model", m.model},
                                         {"version", m.version.to_string()},
                                         {"index", i + 1},
                                         {"count", targets.size()},
                                         {"bytes", done_before + bytes},
                                         {"total", total}});
                }
            };
            std::optional<vault::VerifyResult> result;
            try {
                result = vault.verify_current(m, depth, stop, report);
            } catch (const Error& e) {
                responder->fail(e.code(), e.what());
                return;
            }
            done_before += depth == vault::VerifyDepth::read_data ? m.total_size() : 0;
            if (!result) {
                continue;
            }
            ++checked;
            failed += result->ok() ? 0 : 1;
            results.push_back({{"model", m.model},
                               {"version", m.version.to_string()},
                               {"manifest", vault.manifest_path(m).filename().string()},
                               {"ok", result->ok()},
                               {"problems", result->problems}});
        }
        json result = {{"results", std::move(results)},
                       {"checked", checked},
                       {"failed", failed},
                       {"read_data", depth == vault::VerifyDepth::read_data}};
        // Everything stored, not only what versions use (restic's check --read-data):
        // damage in a duplicate copy or in a pack's header shows too.
        if (check_all_packs) {
            try {
                const auto problems = vault.store().check_packs(stop);
                result["packs"] = {{"checked", vault.store().stats().packs},
                                   {"problems", problems}};
            } catch (const Error& e) {
                responder->fail(e.code(), e.what());
                return;
            }
        }
        responder->succeed(std::move(result));
    });
}

} // namespace

void register_verify(CommandRegistry& registry) {
    registry.add({"verify", AccessLevel::read,
                  "check stored versions: every chunk present, or with read_data every hash",
                  verify});
}

} // namespace mv::daemon::commands
