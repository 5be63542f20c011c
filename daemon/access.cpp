#include "daemon/access.hpp"

#include <grp.h>
#include <vector>

#include <fmt/format.h>

#include "audit/record.hpp"

namespace mv::daemon {

namespace {

std::optional<std::string> user_name(uid_t uid) {
    return audit::user_name(static_cast<long long>(uid));
}

// The peer's groups: its primary group from the socket plus its supplementary groups
// from the group database.
std::vector<gid_t> groups_of(const ipc::Peer& peer) {
    std::vector<gid_t> groups = {peer.gid};
    if (const auto name = user_name(peer.uid)) {
        int count = 64;
        std::vector<gid_t> found(static_cast<std::size_t>(count));
        if (::getgrouplist(name->c_str(), peer.gid, found.data(), &count) == -1) {
            found.resize(static_cast<std::size_t>(count));
            ::getgrouplist(name->c_str(), peer.gid, found.data(), &count);
        }
        found.resize(static_cast<std::size_t>(count));
        groups.insert(groups.end(), found.begin(), found.end());
    }
    return groups;
}

} // namespace

std::string describe_peer(const ipc::Peer& peer) {
    if (const auto name = user_name(peer.uid)) {
        return fmt::format("{} (uid {}, pid {})", *name, peer.uid, peer.pid);
    }
    return fmt::format("uid {} (pid {})", peer.uid, peer.pid);
}

std::string account_name(uid_t uid) {
    return audit::account_name(static_cast<long long>(uid));
}

AccessPolicy::AccessPolicy(config::Access access, uid_t daemon_uid, std::string config_file)
    : m_access(std::move(access)), m_daemon_uid(daemon_uid), m_config_file(std::move(config_file)) {
}

bool AccessPolicy::listed(const std::vector<std::string>& entries, const ipc::Peer& peer) const {
    const auto name = user_name(peer.uid);
    std::optional<std::vector<gid_t>> groups;
    for (const auto& entry : entries) {
        if (entry.starts_with('@')) {
            const struct group* group = ::getgrnam(entry.c_str() + 1);
            if (group == nullptr) {
                continue;
            }
            if (!groups) {
                groups = groups_of(peer);
            }
            for (const gid_t gid : *groups) {
                if (gid == group->gr_gid) {
                    return true;
                }
            }
        } else if (name && *name == entry) {
            return true;
        }
    }
    return false;
}

ipc::Admission AccessPolicy::admission(const ipc::Peer& peer) const {
    if (peer.uid == 0 || peer.uid == m_daemon_uid) {
        return ipc::Admission::privileged;
    }
    return listed(m_access.write, peer) || listed(m_access.read, peer) ? ipc::Admission::member
                                                                       : ipc::Admission::stranger;
}

std::optional<std::string> AccessPolicy::check(const ipc::Peer& peer, const std::string& command,
                                               AccessLevel level) const {
    if (peer.uid == 0 || peer.uid == m_daemon_uid) {
        return std::nullopt;
    }
    if (listed(m_access.write, peer)) {
        return std::nullopt;
    }
    if (level == AccessLevel::read && listed(m_access.read, peer)) {
        return std::nullopt;
    }
    const std::string who = user_name(peer.uid).value_or("uid " + std::to_string(peer.uid));
    const char* list = level == AccessLevel::read ? "access.read" : "access.write";
    return fmt::format("{} may not run `{}`: an administrator can add the user (or one of its "
                       "groups as @group) to {} in {} and run `modelvaultctl reload`",
                       who, command, list, m_config_file.empty() ? "the config" : m_config_file);
}

} // namespace mv::daemon
