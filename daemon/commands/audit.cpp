// audit [--since T] [--user U] [--limit N]: the audit log's newest matching records
// (docs/NOTIFICATIONS.md, "Audit log"). Who did what is for administrators: write access.
#include <fmt/format.h>

#include "daemon/commands/common.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/notifications.hpp"
#include "daemon/services.hpp"

namespace mv::daemon::commands {

namespace {

constexpr std::uint64_t k_default_limit = 1000;
constexpr std::uint64_t k_max_limit = 100000;

void audit_log(CommandContext& c) {
    audit::AuditFilter filter;
    if (const auto since = optional_string(c.args, "since")) {
        auto time = parse_time(*since);
        if (!time) {
            throw Error(fmt::format("since: {}", time.error()), ErrorCode::invalid_argument);
        }
        filter.since = *time;
    }
    filter.user = optional_string(c.args, "user").value_or("");
    const std::uint64_t limit = optional_count(c.args, "limit").value_or(k_default_limit);
    if (limit == 0 || limit > k_max_limit) {
        throw Error(fmt::format("limit must be from 1 to {}", k_max_limit),
                    ErrorCode::invalid_argument);
    }
    json records = json::array();
    for (const auto& record : c.services.notifications().audit().read(filter, limit)) {
        records.push_back(audit::to_json(record));
    }
    c.responder->succeed({{"records", std::move(records)},
                          {"file", c.services.notifications().audit().file().string()}});
}

} // namespace

void register_audit(CommandRegistry& registry) {
    registry.add({"audit", AccessLevel::write, "who read model data or changed something, and when",
                  audit_log, Audit::no});
}

} // namespace mv::daemon::commands
