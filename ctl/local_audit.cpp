#include "ctl/local_audit.hpp"

#include <cstdio>
#include <unistd.h>

#include <fmt/format.h>

#include "audit/log.hpp"
#include "util/time.hpp"

namespace mv::ctl {

void audit_locally(const std::filesystem::path& vault, const std::string& command,
                   const std::string& target, const std::optional<Error>& failure) {
    audit::AuditRecord record;
    record.time = system_clock().now();
    record.uid = static_cast<long long>(::getuid());
    record.user = audit::account_name(record.uid);
    record.pid = static_cast<long long>(::getpid());
    record.command = command;
    record.target = target;
    record.via = "ctl";
    record.result = "ok";
    if (failure) {
        record.result = failure->code() == ErrorCode::forbidden ? "denied" : "failed";
        record.error = fmt::format("{}: {}", to_string(failure->code()), failure->what());
    }
    try {
        audit::AuditLog(vault / "state" / "audit.jsonl").append(record);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "modelvaultctl: warning: %s was not recorded in the audit log: %s\n",
                     command.c_str(), e.what());
    }
}

} // namespace mv::ctl
