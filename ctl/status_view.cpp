#include "ctl/status_view.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ctl/output.hpp"

namespace mv::ctl {

using nlohmann::json;

namespace {

// "never", or how long ago the timestamp `key` of `object` was.
std::string when(const json& object, const char* key, SystemTime now) {
    return object[key].is_null() ? std::string("never")
                                 : relative_time(*parse_time(object[key].get<std::string>()), now);
}

std::string joined_names(const json& list) {
    std::vector<std::string> result;
    for (const auto& item : list) {
        result.push_back(item.get<std::string>());
    }
    return fmt::format("{}", fmt::join(result, ", "));
}

} // namespace

std::string status_text(const json& status, SystemTime now) {
    std::string out = daemon_and_vault_lines(status);
    out += "\n";
    out += watch_table(status["watches"], now);
    out += queue_line(status["queue"]);
    out += replica_lines(status.value("replicas", json::array()), now);
    out += catalog_line(status.value("catalog", json()), now);
    out += counters_line(status["counters"]);
    out += attention_lines(status, now);
    return out;
}

std::string daemon_and_vault_lines(const json& status) {
    const json& d = status["daemon"];
    const json& v = status["vault"];
    std::string out = fmt::format(
        "modelvaultd {} (pid {}), up {}, config {}\n", d["version"].get<std::string>(),
        d["pid"].get<long>(),
        format_elapsed(std::chrono::seconds(d["uptime_seconds"].get<long long>())),
        d["config"].get<std::string>().empty() ? "(defaults)" : d["config"].get<std::string>());
    out += fmt::format(
        "vault  {}: {} model(s), {} version(s), {} stored in {} chunks and {} "
        "packs, {} free\n",
        v["path"].get<std::string>(), v["models"].get<long>(), v["versions"].get<long>(),
        format_bytes(v["stored_bytes"].get<unsigned long long>()), v.value("chunks", 0ull),
        v.value("packs", 0ull), format_bytes(v["free_bytes"].get<unsigned long long>()));
    return out;
}

std::string watch_table(const json& watches, SystemTime now) {
    Table table(
        {"WATCH", "STATE", "MODELS", "LOGICAL", "STORED", "LAST BACKUP", "NEXT RUN", "PATH"});
    for (const auto& w : watches) {
        std::string last = "-";
        if (!w["last_backup"].is_null()) {
            const auto& b = w["last_backup"];
            last = fmt::format("{} {} ({})", b["model"].get<std::string>(),
                               b["version"].get<std::string>(), when(b, "time", now));
        }
        const std::string next = w["next_run"].is_null() ? "-" : when(w, "next_run", now);
        std::string state = w["state"].get<std::string>();
        if (!w["message"].get<std::string>().empty()) {
            state += " (" + w["message"].get<std::string>() + ")";
        }
        table.add({w["name"].get<std::string>(), state, std::to_string(w["models"].get<long>()),
                   format_bytes(w.value("logical_bytes", 0ull)),
                   format_bytes(w.value("stored_bytes", 0ull)), last, next,
                   w["path"].get<std::string>()});
    }
    return table.empty() ? "no watches configured\n" : table.render();
}

std::string queue_line(const json& q) {
    if (q["running"].empty() && q["queued"].empty() && q["verifying"].empty()) {
        return "\nqueue  idle\n";
    }
    return fmt::format("\nqueue  {} running{}, {} waiting{}{}\n", q["running"].size(),
                       q["running"].empty() ? "" : " (" + joined_names(q["running"]) + ")",
                       q["queued"].size(),
                       q["queued"].empty() ? "" : " (" + joined_names(q["queued"]) + ")",
                       q["verifying"].empty() ? "" : ", verifying");
}

// One line per off-site replica (docs/REPLICAS.md): what is not yet off-site, the last
// success and the last error with what to do.
std::string replica_lines(const json& replicas, SystemTime now) {
    std::string out;
    for (const auto& replica : replicas) {
        out += fmt::format("replica {} ({}): ", replica["name"].get<std::string>(),
                           replica["where"].get<std::string>());
        const auto pending = replica["pending_versions"].get<long>();
        if (pending == 0 && replica["pending_bytes"].get<unsigned long long>() == 0) {
            out += "up to date";
        } else {
            out += fmt::format("{} version(s), {} not yet off-site", pending,
                               format_bytes(replica["pending_bytes"].get<unsigned long long>()));
            if (!replica["oldest_pending_age_seconds"].is_null()) {
                out += fmt::format(", oldest {} old",
                                   format_elapsed(std::chrono::seconds(
                                       replica["oldest_pending_age_seconds"].get<long long>())));
            }
        }
        out += fmt::format("; last success {}\n", when(replica, "last_success", now));
        if (!replica["last_error"].is_null()) {
            out += fmt::format(
                "  last error ({}, {}): {}\n", replica["last_error_kind"].get<std::string>(),
                when(replica, "last_attempt", now), replica["last_error"].get<std::string>());
        }
    }
    return out;
}

// The shared catalog (docs/catalog.md): what waits in the outbox and the last error.
std::string catalog_line(const json& catalog, SystemTime now) {
    if (!catalog.is_object()) {
        return "";
    }
    const auto pending = catalog["pending_events"].get<long>();
    std::string out = fmt::format(
        "catalog ({}): {}; last success {}\n", catalog["database"].get<std::string>(),
        pending == 0 ? std::string("up to date") : fmt::format("{} event(s) waiting", pending),
        when(catalog, "last_success", now));
    if (!catalog["last_error"].is_null()) {
        out += fmt::format("  last error ({}): {}\n", when(catalog, "last_attempt", now),
                           catalog["last_error"].get<std::string>());
    }
    if (catalog["rejected_events"].get<long>() > 0) {
        out += fmt::format("  {} event(s) set aside that cannot be sent (docs/catalog.md)\n",
                           catalog["rejected_events"].get<long>());
    }
    return out;
}

std::string counters_line(const json& c) {
    std::string out = fmt::format(
        "since start: {} version(s) written, {} unchanged, {} failure(s), {} read",
        c["versions_written"].get<long>(), c["unchanged"].get<long>(), c["failures"].get<long>(),
        format_bytes(c["bytes_read"].get<unsigned long long>()));
    if (c.value("pruned_versions", 0L) > 0) {
        out += fmt::format(", {} pruned ({} freed)", c["pruned_versions"].get<long>(),
                           format_bytes(c["reclaimed_bytes"].get<unsigned long long>()));
    }
    return out + "\n";
}

std::string attention_lines(const json& status, SystemTime now) {
    std::string out;
    for (const auto& rb : status.value("rolled_back", json::array())) {
        out += fmt::format("rolled back: {} is at {} (latest {})\n", rb["model"].get<std::string>(),
                           rb["current"].get<std::string>(), rb["latest"].get<std::string>());
    }
    for (const auto& damaged : status["vault"].value("damaged", json::array())) {
        out += fmt::format("DAMAGED manifest {}: {}; its version is hidden until it is repaired "
                           "and nothing is collected meanwhile (`modelvaultctl verify --all` "
                           "lists it; docs/FORMAT.md)\n",
                           damaged["manifest"].get<std::string>(),
                           damaged["problem"].get<std::string>());
    }
    for (const auto& flagged : status.value("incomplete", json::array())) {
        out +=
            fmt::format("incomplete: {} {} failed its format's structural check when it was "
                        "stored (never best; `modelvaultctl show` says why)\n",
                        flagged["model"].get<std::string>(), flagged["version"].get<std::string>());
    }
    if (!status["last_error"].is_null()) {
        out += fmt::format("last error ({}): {}\n", when(status["last_error"], "time", now),
                           status["last_error"]["message"].get<std::string>());
    }
    return out;
}

} // namespace mv::ctl
