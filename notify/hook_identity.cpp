#include <grp.h>
#include <pwd.h>

#include <fmt/format.h>

#include "notify/hook_runner.hpp"
#include "util/error.hpp"

namespace mv::notify {

namespace {

struct Account {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string home;
};

std::optional<Account> find_account(const std::string* name, uid_t uid) {
    struct passwd entry {};
    struct passwd* found = nullptr;
    std::vector<char> buffer(16384);
    const int error =
        name != nullptr ? ::getpwnam_r(name->c_str(), &entry, buffer.data(), buffer.size(), &found)
                        : ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found);
    if (error != 0 || found == nullptr) {
        return std::nullopt;
    }
    return Account{found->pw_name, found->pw_uid, found->pw_gid,
                   found->pw_dir != nullptr ? found->pw_dir : "/"};
}

std::vector<gid_t> groups_of(const Account& account) {
    int count = 64;
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    if (::getgrouplist(account.name.c_str(), account.gid, groups.data(), &count) == -1) {
        groups.resize(static_cast<std::size_t>(count));
        ::getgrouplist(account.name.c_str(), account.gid, groups.data(), &count);
    }
    groups.resize(static_cast<std::size_t>(count));
    return groups;
}

} // namespace

HookIdentity resolve_hook_identity(const std::string& user, uid_t daemon_uid) {
    HookIdentity identity;
    if (daemon_uid != 0) {
        const auto self = find_account(nullptr, daemon_uid);
        const std::string self_name = self ? self->name : std::to_string(daemon_uid);
        if (!user.empty() && user != self_name) {
            throw Error(fmt::format("hooks.user is \"{}\", but modelvaultd runs as {} and cannot "
                                    "start programs as another user; remove hooks.user (hooks "
                                    "then run as {})",
                                    user, self_name, self_name),
                        ErrorCode::invalid_argument);
        }
        identity.uid = daemon_uid;
        identity.gid = self ? self->gid : ::getgid();
        identity.account = {self_name, self ? self->home : "/"};
        return identity;
    }
    // A root daemon never lends root to a hook by default (docs/NOTIFICATIONS.md).
    const std::string name = user.empty() ? "nobody" : user;
    const auto account = find_account(&name, 0);
    if (!account) {
        throw Error(fmt::format("hooks.user: there is no user \"{}\" on this machine; create it "
                                "or name an existing user to run hooks as",
                                name),
                    ErrorCode::invalid_argument);
    }
    identity.switch_user = account->uid != 0;
    identity.uid = account->uid;
    identity.gid = account->gid;
    identity.groups = groups_of(*account);
    identity.account = {account->name, account->home};
    return identity;
}

} // namespace mv::notify
