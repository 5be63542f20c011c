#pragma once
// One line of the audit log (docs/NOTIFICATIONS.md, "Audit log"): who asked for what,
// when, and whether it was done. Pure: text in and out, and the filters of
// `modelvaultctl audit`.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/time.hpp"

namespace mv::audit {

struct AuditRecord {
    SystemTime time{};
    long long uid = -1;
    std::string user;    ///< the user name of uid, or "uid N" when it has none
    long long pid = 0;   ///< of the client
    std::string command; ///< "restore", "backup" ...
    std::string target;  ///< what it was about ("lab/dqn.pkl@1.0.0 to /tmp/x")
    std::string result;  ///< "ok", "denied" or "failed"
    std::string error;   ///< denied or failed: the error code and message
    std::string via;     ///< "socket" or "dbus"
};

/// The record as one compact JSON line, with its "\n".
std::string to_line(const AuditRecord& record);
/// A line back into a record; nullopt for a torn or foreign line.
std::optional<AuditRecord> parse_line(std::string_view line);
/// The record as JSON (what `audit --json` prints).
nlohmann::json to_json(const AuditRecord& record);

struct AuditFilter {
    std::optional<SystemTime> since; ///< at or after
    std::string user;                ///< a user name or a uid; empty: everyone
};

bool matches(const AuditRecord& record, const AuditFilter& filter);

/// The user name of `uid` from the password database; nullopt when it has none.
std::optional<std::string> user_name(long long uid);
/// The user name of `uid`, or "uid N" when it has none (the `user` field).
std::string account_name(long long uid);

/// What a request's arguments are about, for the `target` field: the model and version,
/// the models, "all models", and the details that matter (tag action, restore folder,
/// dry run). At most 512 bytes.
std::string describe_target(const nlohmann::json& args);

} // namespace mv::audit
