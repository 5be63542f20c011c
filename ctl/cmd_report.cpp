// modelvaultctl report --html FILE | --json
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/output.hpp"
#include "http/models.hpp"
#include "util/fs.hpp"
#include "web/pages.hpp"

namespace mv::ctl {

int run_report(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 0, 0, "report --html FILE | --json");
    const auto html = args.value("html");
    if (!html && !global.json) {
        throw UsageError("report: give --html FILE (one HTML file) or --json");
    }
    // The same two commands the dashboard's overview runs.
    const auto status = call_daemon(global, "status", json::object());
    if (!status.ok()) {
        return report_error(global, status.message);
    }
    const auto list = call_daemon(global, "list", json::object());
    if (!list.ok()) {
        return report_error(global, list.message);
    }
    const json& versions = list.message["result"];
    if (html) {
        // Written as the user who asked, atomically: a browser never opens half a report.
        const auto written =
            fs::write_file_atomic(*html, web::report_page(status.message["result"], versions));
        if (!written) {
            return report_error(
                global,
                Error(fmt::format("cannot write the report: {}", written.error()), ErrorCode::io));
        }
        if (!global.json) {
            std::printf("report written to %s\n", html->c_str());
        }
    }
    if (global.json) {
        print_json({{"status", status.message["result"]},
                    {"models", http::models_from_list(versions)["models"]},
                    {"versions", versions["versions"]}});
    }
    return k_exit_ok;
}

} // namespace mv::ctl
