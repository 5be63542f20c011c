#pragma once
// Who may run which command (docs/CONFIG.md `access`): root and the daemon's own user always; users
// and
// @groups in access.write may run every command, those in access.read the read-only
// ones; everyone else is told which list to join.

#include <optional>
#include <string>
#include <sys/types.h>

#include "config/model.hpp"
#include "ipc/peer.hpp"
#include "ipc/server.hpp"

namespace mv::daemon {

enum class AccessLevel { read, write };

/// The user name of `uid`, or "uid N" when it has none (logs, the audit log).
std::string account_name(uid_t uid);

class AccessPolicy {
public:
    AccessPolicy(config::Access access, uid_t daemon_uid, std::string config_file);

    /// nullopt when `peer` may run `command` (which needs `level`); otherwise the message
    /// for the `forbidden` error.
    std::optional<std::string> check(const ipc::Peer& peer, const std::string& command,
                                     AccessLevel level) const;
    /// How the control socket treats `peer` (docs/PROTOCOL.md, "Limits"): root and the
    /// daemon's own user are privileged, users on a list members, everyone else a
    /// stranger that may run nothing and is hung up on after its first answer.
    ipc::Admission admission(const ipc::Peer& peer) const;

private:
    bool listed(const std::vector<std::string>& entries, const ipc::Peer& peer) const;

    config::Access m_access;
    uid_t m_daemon_uid;
    std::string m_config_file;
};

/// "bob (uid 1001, pid 4242)" for the log; "uid 1001 (pid 4242)" when the uid has no
/// user name.
std::string describe_peer(const ipc::Peer& peer);

} // namespace mv::daemon
