#pragma once
// The audit log's view of a request (docs/NOTIFICATIONS.md, "Audit log"): a Responder
// that records the request's result once it is known — at once for a denied request,
// when the backup is committed for a backup — and passes everything on.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "audit/log.hpp"
#include "ipc/peer.hpp"
#include "ipc/responder.hpp"
#include "util/time.hpp"

namespace mv::daemon {

/// The record of `command` with `args` from `peer` at `now`, before its result is known.
audit::AuditRecord audit_record(const ipc::Peer& peer, const std::string& command,
                                const nlohmann::json& args, const char* via, SystemTime now);

/// `inner`, recording `record` in `log` with the result of the final answer: "ok",
/// "denied" (forbidden) or "failed" (with the error).
std::shared_ptr<ipc::Responder> audited(std::shared_ptr<ipc::Responder> inner, audit::AuditLog& log,
                                        audit::AuditRecord record);

} // namespace mv::daemon
