// modelvaultctl audit [--since T] [--user U] [--limit N]
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/output.hpp"

namespace mv::ctl {

int run_audit(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 0, 0, "audit [--since TIME] [--user USER] [--limit N]");
    json request = json::object();
    for (const char* key : {"since", "user"}) {
        if (auto value = args.value(key)) {
            request[key] = *value;
        }
    }
    if (auto limit = args.value("limit")) {
        try {
            request["limit"] = std::stoull(*limit);
        } catch (const std::exception&) {
            throw UsageError(fmt::format("audit: --limit needs a number, got \"{}\"", *limit));
        }
    }
    return call_and_render(global, "audit", request, [](const json& result) {
        Table table({"TIME", "USER", "COMMAND", "RESULT", "TARGET"});
        for (const auto& record : result["records"]) {
            std::string outcome = record["result"];
            if (record.contains("error")) {
                outcome += " (" + record["error"].get<std::string>() + ")";
            }
            table.add({local_time(record["time"]),
                       fmt::format("{} ({})", record["user"].get<std::string>(),
                                   record["uid"].get<long long>()),
                       record["command"], std::move(outcome), record["target"]});
        }
        if (table.empty()) {
            std::printf("no audit records match\n");
        } else {
            std::fputs(table.render().c_str(), stdout);
        }
        return k_exit_ok;
    });
}

} // namespace mv::ctl
