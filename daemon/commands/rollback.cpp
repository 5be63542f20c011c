// rollback MODEL@SEL: put a version back in its watched folder and mark it `current`.
// Like restore, the daemon writes nothing in the folder itself: it resolves the version
// and says where it goes; modelvaultctl then has it streamed (`restore` with
// members "model"), verifies and renames the files into place with the rights of the
// user who asked, and reports back with `rollback_done`, which records the move of
// `current` in the model's history with that user's uid.
#include <pwd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/backup_service.hpp"
#include "daemon/commands/common.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/events.hpp"
#include "daemon/job_queue.hpp"
#include "daemon/notifications.hpp"
#include "daemon/services.hpp"
#include "util/escape.hpp"
#include "vault/model_id.hpp"
#include "vault/vault.hpp"

namespace mv::daemon::commands {

namespace {

struct Location {
    config::Watch watch;
    vault::ModelId id;
    std::filesystem::path folder; ///< where the model's files go
};

Location locate(Services& d, const vault::Manifest& manifest) {
    const std::string& model = manifest.model;
    const auto id = value_or_throw(vault::ModelId::parse(model), "", ErrorCode::invalid_argument);
    const auto watch = d.backups().find_watch(id.watch);
    if (!watch) {
        throw Error(fmt::format("watch {} is no longer configured, so {} has no folder to roll "
                                "back into; restore it with `modelvaultctl restore {} --to DIR`",
                                id.watch, model, model),
                    ErrorCode::not_found);
    }
    const auto slash = id.relative.rfind('/');
    auto folder = id.relative.empty() || slash == std::string::npos
                      ? watch->path
                      : watch->path / id.relative.substr(0, slash);
    // A folder checkpoint of a series goes back into its own folder (checkpoint-500/).
    if (manifest.checkpoint && manifest.checkpoint->folder) {
        folder /= manifest.checkpoint->name;
    }
    return {*watch, id, folder};
}

std::string user_name(uid_t uid) {
    const struct passwd* entry = ::getpwuid(uid);
    return entry != nullptr ? entry->pw_name : "uid " + std::to_string(uid);
}

void rollback(CommandContext& c) {
    Services& d = c.services;
    const auto manifest = resolve(d.vault(), parse_target(d.vault(), c.args));
    const Location where = locate(d, manifest);
    if (!flag(c.args, "force") && !d.backups().is_backed_up(where.watch, where.id.relative)) {
        throw Error(fmt::format("{} in {} has changes that are not backed up yet; run "
                                "`modelvaultctl backup {}` first, or roll back with --force to "
                                "discard them",
                                manifest.model, where.folder.string(), manifest.model),
                    ErrorCode::conflict);
    }
    const auto latest = d.vault().latest(manifest.model);
    const auto current = d.vault().pointer(manifest.model, vault::Pointer::current);
    const auto in_folder = current  ? current
                           : latest ? std::optional(latest->version)
                                    : std::nullopt;
    c.responder->succeed({{"manifest", vault::to_json(manifest, false)},
                          {"folder", escape_name(where.folder.string())},
                          {"from", in_folder ? json(in_folder->to_string()) : json(nullptr)},
                          {"stream", "restore"}});
}

void rollback_done(CommandContext& c) {
    Services& d = c.services;
    const std::string model = required_string(c.args, "model");
    const auto version = vault::Version::parse(required_string(c.args, "version"));
    if (!version) {
        throw Error("argument \"version\" must be MAJOR.MINOR.PATCH", ErrorCode::invalid_argument);
    }
    const std::string from = optional_string(c.args, "from").value_or("?");
    const auto uid = c.peer.uid;
    d.backup_jobs().submit(model, [&d, model, version = *version, from, uid,
                                   responder = c.responder](const std::stop_token&) {
        try {
            d.vault().move_pointer(model, vault::Pointer::current, version,
                                   fmt::format("rolled back from {} by {}", from, user_name(uid)),
                                   static_cast<long long>(uid));
            spdlog::info("{}: rolled back to {} (was {}) by {}", model, version.to_string(), from,
                         user_name(uid));
            if (const auto manifest = d.vault().find(model, version)) {
                d.notifications().publish(restored_event(*manifest, "rollback",
                                                         locate(d, *manifest).folder.string(),
                                                         user_name(uid), d.clock().now()));
            }
            responder->succeed({{"model", model}, {"current", version.to_string()}});
        } catch (const Error& e) {
            responder->fail(e.code(), e.what());
        }
    });
}

} // namespace

void register_rollback(CommandRegistry& registry) {
    registry.add({"rollback", AccessLevel::write,
                  "say where a version goes back in its watched folder", rollback});
    registry.add({"rollback_done", AccessLevel::write,
                  "record that a rollback put a version back (marks it current)", rollback_done});
}

} // namespace mv::daemon::commands
