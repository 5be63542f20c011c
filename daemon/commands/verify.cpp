// verify [MODEL[@SEL]] | all: re-reads archives on the verification worker.
#include <fmt/format.h>

#include "daemon/commands/common.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/daemon.hpp"

namespace mv::daemon::commands {

namespace {

void verify(CommandContext& c) {
    Daemon& d = c.daemon;
    vault::Vault& vault = d.vault();
    std::vector<vault::Manifest> targets;
    std::vector<vault::DamagedVersion> damaged; // their versions are hidden: each one fails
    if (flag(c.args, "all")) {
        for (const auto& model : vault.models()) {
            for (auto& m : vault.versions(model)) {
                targets.push_back(std::move(m));
            }
        }
        damaged = vault.damaged();
    } else {
        const Target target = parse_target(vault, c.args);
        if (target.selector.empty()) {
            targets = vault.versions(target.model); // every version of the model
            damaged = vault.damaged(target.model);
        } else {
            targets.push_back(resolve(vault, target));
        }
    }
    json damaged_rows = json::array();
    for (const auto& sidecar : damaged) {
        damaged_rows.push_back(
            {{"model", sidecar.model.empty() ? sidecar.dir.string() : sidecar.model},
             {"version", sidecar.version ? sidecar.version->to_string() : "?"},
             {"archive", sidecar.sidecar.filename().string()},
             {"ok", false},
             {"problems", json::array({fmt::format("the sidecar {} is damaged: {}",
                                                   sidecar.sidecar.string(), sidecar.problem)})}});
    }
    std::uint64_t total = 0;
    for (const auto& m : targets) {
        total += m.archive.size;
    }
    d.check_jobs().submit("verify", [&vault, targets = std::move(targets), total,
                                     damaged_rows = std::move(damaged_rows),
                                     responder = c.responder](const std::stop_token& stop) {
        json results = damaged_rows;
        std::size_t failed = damaged_rows.size();
        std::size_t checked = damaged_rows.size();
        std::uint64_t done_before = 0;
        auto last_report = std::chrono::steady_clock::time_point{};
        for (std::size_t i = 0; i < targets.size(); ++i) {
            const auto& m = targets[i];
            if (stop.stop_requested() || !responder->connected()) {
                responder->fail(ErrorCode::unavailable, "verification abandoned");
                return;
            }
            const auto report = [&](std::uint64_t bytes) {
                const auto now = std::chrono::steady_clock::now();
                if (now - last_report >= std::chrono::milliseconds(200)) {
                    last_report = now;
                    responder->progress({{"model", m.model},
                                         {"version", m.version.to_string()},
                                         {"index", i + 1},
                                         {"count", targets.size()},
                                         {"bytes", done_before + bytes},
                                         {"total", total}});
                }
            };
            vault::VerifyResult result;
            try {
                result = vault.verify(m, stop, report);
            } catch (const Error& e) {
                responder->fail(e.code(), e.what());
                return;
            }
            done_before += m.archive.size;
            // Retention may remove a version while this runs (found by tests/torture: its
            // archive was "missing"): a version that no longer exists is not damaged.
            if (!result.ok() && !vault.find(m.model, m.version)) {
                continue;
            }
            ++checked;
            failed += result.ok() ? 0 : 1;
            results.push_back({{"model", m.model},
                               {"version", m.version.to_string()},
                               {"archive", m.archive.file},
                               {"ok", result.ok()},
                               {"problems", result.problems}});
        }
        responder->succeed(
            {{"results", std::move(results)}, {"checked", checked}, {"failed", failed}});
    });
}

} // namespace

void register_verify(CommandRegistry& registry) {
    registry.add({"verify", AccessLevel::read, "re-read archives and check every hash", verify});
}

} // namespace mv::daemon::commands
