// modelvaultctl status
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/output.hpp"
#include "util/time.hpp"

namespace mv::ctl {

namespace {

// One line per off-site replica (docs/REPLICAS.md): what is not yet off-site, the last
// success and the last error with what to do.
// The shared catalog (docs/catalog.md): what waits in the outbox and the last error.
std::string catalog_line(const json& catalog, std::chrono::system_clock::time_point now) {
    if (!catalog.is_object()) {
        return "";
    }
    const auto when = [&](const char* key) {
        return catalog[key].is_null()
                   ? std::string("never")
                   : relative_time(*parse_time(catalog[key].get<std::string>()), now);
    };
    const auto pending = catalog["pending_events"].get<long>();
    std::string out = fmt::format(
        "catalog ({}): {}; last success {}\n", catalog["database"].get<std::string>(),
        pending == 0 ? std::string("up to date") : fmt::format("{} event(s) waiting", pending),
        when("last_success"));
    if (!catalog["last_error"].is_null()) {
        out += fmt::format("  last error ({}): {}\n", when("last_attempt"),
                           catalog["last_error"].get<std::string>());
    }
    if (catalog["rejected_events"].get<long>() > 0) {
        out += fmt::format("  {} event(s) set aside that cannot be sent (docs/catalog.md)\n",
                           catalog["rejected_events"].get<long>());
    }
    return out;
}

std::string replica_lines(const json& replicas, std::chrono::system_clock::time_point now) {
    std::string out;
    for (const auto& replica : replicas) {
        const auto when = [&](const char* key) {
            return replica[key].is_null()
                       ? std::string("never")
                       : relative_time(*parse_time(replica[key].get<std::string>()), now);
        };
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
        out += fmt::format("; last success {}\n", when("last_success"));
        if (!replica["last_error"].is_null()) {
            out += fmt::format("  last error ({}, {}): {}\n",
                               replica["last_error_kind"].get<std::string>(), when("last_attempt"),
                               replica["last_error"].get<std::string>());
        }
    }
    return out;
}

} // namespace

int run_status(const GlobalOptions& global, const ParsedArgs&) {
    return call_and_render(global, "status", json::object(), [&](const json& r) {
        const json& d = r["daemon"];
        const json& v = r["vault"];
        const auto now = system_clock().now();
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
        out += "\n";
        Table watches(
            {"WATCH", "STATE", "MODELS", "LOGICAL", "STORED", "LAST BACKUP", "NEXT RUN", "PATH"});
        for (const auto& w : r["watches"]) {
            std::string last = "-";
            if (!w["last_backup"].is_null()) {
                const auto& b = w["last_backup"];
                last = fmt::format("{} {} ({})", b["model"].get<std::string>(),
                                   b["version"].get<std::string>(),
                                   relative_time(*parse_time(b["time"].get<std::string>()), now));
            }
            std::string next = "-";
            if (!w["next_run"].is_null()) {
                next = relative_time(*parse_time(w["next_run"].get<std::string>()), now);
            }
            std::string state = w["state"].get<std::string>();
            if (!w["message"].get<std::string>().empty()) {
                state += " (" + w["message"].get<std::string>() + ")";
            }
            watches.add({w["name"].get<std::string>(), state,
                         std::to_string(w["models"].get<long>()),
                         format_bytes(w.value("logical_bytes", 0ull)),
                         format_bytes(w.value("stored_bytes", 0ull)), last, next,
                         w["path"].get<std::string>()});
        }
        out += watches.empty() ? "no watches configured\n" : watches.render();
        const json& q = r["queue"];
        const auto names = [](const json& list) {
            std::vector<std::string> result;
            for (const auto& item : list) {
                result.push_back(item.get<std::string>());
            }
            return fmt::format("{}", fmt::join(result, ", "));
        };
        out += "\nqueue  ";
        if (q["running"].empty() && q["queued"].empty() && q["verifying"].empty()) {
            out += "idle\n";
        } else {
            out += fmt::format("{} running{}, {} waiting{}{}\n", q["running"].size(),
                               q["running"].empty() ? "" : " (" + names(q["running"]) + ")",
                               q["queued"].size(),
                               q["queued"].empty() ? "" : " (" + names(q["queued"]) + ")",
                               q["verifying"].empty() ? "" : ", verifying");
        }
        out += replica_lines(r.value("replicas", json::array()), now);
        out += catalog_line(r.value("catalog", json()), now);
        const json& c = r["counters"];
        out += fmt::format(
            "since start: {} version(s) written, {} unchanged, {} failure(s), {} read",
            c["versions_written"].get<long>(), c["unchanged"].get<long>(),
            c["failures"].get<long>(), format_bytes(c["bytes_read"].get<unsigned long long>()));
        if (c.value("pruned_versions", 0L) > 0) {
            out += fmt::format(", {} pruned ({} freed)", c["pruned_versions"].get<long>(),
                               format_bytes(c["reclaimed_bytes"].get<unsigned long long>()));
        }
        out += "\n";
        for (const auto& rb : r.value("rolled_back", json::array())) {
            out += fmt::format("rolled back: {} is at {} (latest {})\n",
                               rb["model"].get<std::string>(), rb["current"].get<std::string>(),
                               rb["latest"].get<std::string>());
        }
        for (const auto& damaged : v.value("damaged", json::array())) {
            out += fmt::format(
                "DAMAGED manifest {}: {}; its version is hidden until it is repaired "
                "and nothing is collected meanwhile (`modelvaultctl verify --all` "
                "lists it; docs/FORMAT.md)\n",
                damaged["manifest"].get<std::string>(), damaged["problem"].get<std::string>());
        }
        for (const auto& flagged : r.value("incomplete", json::array())) {
            out += fmt::format("incomplete: {} {} failed its format's structural check when it was "
                               "stored (never best; `modelvaultctl show` says why)\n",
                               flagged["model"].get<std::string>(),
                               flagged["version"].get<std::string>());
        }
        if (!r["last_error"].is_null()) {
            out += fmt::format(
                "last error ({}): {}\n",
                relative_time(*parse_time(r["last_error"]["time"].get<std::string>()), now),
                r["last_error"]["message"].get<std::string>());
        }
        std::fputs(out.c_str(), stdout);
        return k_exit_ok;
    });
}

} // namespace mv::ctl
