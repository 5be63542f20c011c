// restore: hands the client the version's manifest and a read-only descriptor of its
// archive (SCM_RIGHTS). The client verifies and extracts as the user who asked, so
// files land only where that user may write (SPEC §7, docs/PROTOCOL.md).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/commands/common.hpp"
#include "daemon/commands/compatible.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/daemon.hpp"
#include "daemon/events.hpp"
#include "util/fs.hpp"

namespace mv::daemon::commands {

namespace {

void restore(CommandContext& c) {
    const vault::Vault& vault = c.daemon.vault();
    const auto manifest = resolve(vault, parse_target(vault, c.args));
    if (const auto run = optional_run_compat(c.args)) {
        require_compatible(c.daemon, manifest, *run);
    }
    const auto archive = vault.archive_path(manifest);
    // Never blocks: a FIFO where the archive should be is refused, not waited for.
    auto fd = fs::open_for_reading(archive, false);
    if (!fd) {
        throw Error(fmt::format("the archive of {} {} cannot be opened: {}; run `modelvaultctl "
                                "verify --all`",
                                manifest.model, manifest.version.to_string(), fd.error()),
                    ErrorCode::corrupt);
    }
    // The daemon hands out a verified archive; the client writes the files as its user.
    const std::string user = account_name(c.peer.uid);
    const std::string to = optional_string(c.args, "to").value_or("");
    spdlog::info("{} {}: archive handed to {} (uid {}) to restore{}", manifest.model,
                 manifest.version.to_string(), user, c.peer.uid, to.empty() ? "" : " into " + to);
    c.daemon.notifications().publish(
        restored_event(manifest, "restore", to, user, c.daemon.clock().now()));
    c.responder->succeed({{"manifest", vault::to_json(manifest)},
                          {"tags", vault.tags_of(manifest)},
                          {"stream", "fd"}},
                         std::move(*fd));
}

} // namespace

void register_restore(CommandRegistry& registry) {
    registry.add({"restore", AccessLevel::read,
                  "pass a version's archive to the client for verified extraction", restore,
                  Audit::yes});
}

} // namespace mv::daemon::commands
