#pragma once
// `modelvaultctl status` for humans: the text of a status result (docs/PROTOCOL.md,
// "status"), pure so that tests check it without a daemon.

#include <string>

#include <nlohmann/json.hpp>

#include "util/time.hpp"

namespace mv::ctl {

/// The whole text: daemon and vault, the watch table, the queue, replicas, catalog,
/// counters, then what needs attention. `now` dates the relative times ("3 min ago").
std::string status_text(const nlohmann::json& status, SystemTime now);

/// The steps of status_text, in its order.
std::string daemon_and_vault_lines(const nlohmann::json& status);
std::string watch_table(const nlohmann::json& watches, SystemTime now);
std::string queue_line(const nlohmann::json& queue);
std::string replica_lines(const nlohmann::json& replicas, SystemTime now);
std::string catalog_line(const nlohmann::json& catalog, SystemTime now);
std::string counters_line(const nlohmann::json& counters);
/// Rolled-back models, damaged manifests, incomplete versions and the last error.
std::string attention_lines(const nlohmann::json& status, SystemTime now);

} // namespace mv::ctl
