// note, delete: annotations and removals a user asks for (docs/PROTOCOL.md).
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "daemon/access.hpp"
#include "daemon/backup_service.hpp"
#include "daemon/commands/common.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/job_queue.hpp"
#include "daemon/services.hpp"
#include "vault/vault.hpp"

namespace mv::daemon::commands {

namespace {

// A note is a sentence or a paragraph, not a file: the manifest carries it.
constexpr std::size_t k_max_note_bytes = 4096;

} // namespace

vault::Note new_note(const Clock& clock, uid_t uid, std::string text,
                     std::vector<std::string> tags) {
    if (text.empty() || text.size() > k_max_note_bytes) {
        throw Error(fmt::format("a note needs 1 to {} bytes of text, got {}; put longer text in "
                                "a sidecar file",
                                k_max_note_bytes, text.size()),
                    ErrorCode::invalid_argument);
    }
    for (const auto& tag : tags) {
        check_tag(tag);
    }
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    return {std::move(text), std::move(tags), static_cast<long long>(uid), account_name(uid),
            std::chrono::time_point_cast<std::chrono::seconds>(clock.now())};
}

namespace {

void note(CommandContext& c) {
    Services& d = c.services;
    const Target target = parse_target(d.vault(), c.args);
    auto added = new_note(d.clock(), c.peer.uid, optional_string(c.args, "text").value_or(""),
                          string_list(c.args, "tags"));
    resolve(d.vault(), target); // fail now, with the list of versions, if SEL matches nothing
    // On the model's backup queue: one manifest revision of a model at a time.
    d.backup_jobs().submit(target.model, [&d, target, added = std::move(added),
                                          responder = c.responder](const std::stop_token&) {
        try {
            const auto manifest = resolve(d.vault(), target);
            const auto updated = d.vault().add_note(manifest.model, manifest.version, added);
            spdlog::info("{} {}: note added by {}", updated.model, updated.version.to_string(),
                         added.user);
            responder->succeed({{"model", updated.model},
                                {"version", updated.version.to_string()},
                                {"notes", vault::to_json(updated, false)["notes"]}});
        } catch (const Error& e) {
            responder->fail(e.code(), e.what());
        }
    });
}

// Why deleting `m` needs --force (docs/CLI.md, delete): it is best or current, or has a
// tag its watch's retention keeps. Empty when nothing protects it.
std::vector<std::string> protections(Services& d, const vault::Manifest& m) {
    std::vector<std::string> why;
    for (const auto pointer : {vault::Pointer::best, vault::Pointer::current}) {
        if (d.vault().pointer(m.model, pointer) == m.version) {
            why.push_back(fmt::format("it is {}", vault::to_string(pointer)));
        }
    }
    const auto watch = d.backups().find_watch(m.watch);
    if (watch && watch->retention) {
        for (const auto& tag : m.tags) {
            const auto& kept = watch->retention->keep_tags;
            if (std::find(kept.begin(), kept.end(), tag) != kept.end()) {
                why.push_back(fmt::format("its tag '{}' is kept by retention", tag));
            }
        }
    }
    return why;
}

// Removes the version (and the pointers that name it) and collects its chunks.
json delete_version(Services& d, const vault::Manifest& m, uid_t uid) {
    const std::string who = account_name(uid);
    const std::string reason = fmt::format("deleted with modelvaultctl delete by {}", who);
    for (const auto pointer : {vault::Pointer::best, vault::Pointer::current}) {
        if (d.vault().pointer(m.model, pointer) == m.version) {
            d.vault().move_pointer(m.model, pointer, std::nullopt, reason,
                                   static_cast<long long>(uid));
        }
    }
    d.vault().remove_version(m.model, m.version, reason, static_cast<long long>(uid));
    d.backups().versions_removed();
    spdlog::info("{} {} deleted by {}", m.model, m.version.to_string(), who);
    json result = {{"model", m.model}, {"version", m.version.to_string()}};
    const auto collected = d.vault().collect({});
    result["reclaimed_bytes"] = collected.freed_bytes;
    if (!collected.skipped.empty()) {
        result["warnings"] = json::array({"no space was freed: " + collected.skipped});
    }
    return result;
}

void remove(CommandContext& c) {
    Services& d = c.services;
    const Target target = parse_target(d.vault(), c.args);
    const bool force = flag(c.args, "force");
    const auto uid = c.peer.uid;
    resolve(d.vault(), target);
    d.backup_jobs().submit(target.model, [&d, target, force, uid,
                                          responder = c.responder](const std::stop_token&) {
        try {
            const auto manifest = resolve(d.vault(), target);
            if (const auto why = protections(d, manifest); !why.empty() && !force) {
                responder->fail(ErrorCode::conflict,
                                fmt::format("{} {} is protected ({}); pass --force to delete it "
                                            "anyway",
                                            manifest.model, manifest.version.to_string(),
                                            fmt::join(why, ", ")));
                return;
            }
            responder->succeed(delete_version(d, manifest, uid));
        } catch (const Error& e) {
            responder->fail(e.code(), e.what());
        }
    });
}

} // namespace

void register_annotate(CommandRegistry& registry) {
    registry.add({"note", AccessLevel::write, "add a note to a version", note});
    registry.add({"delete", AccessLevel::write, "delete a version and reclaim its space", remove});
}

} // namespace mv::daemon::commands
