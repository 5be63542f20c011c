// modelvaultctl reload / version
#include <cstdio>

#include "ctl/command_impl.hpp"

namespace mv::ctl {

int run_reload(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 0, 0, "reload");
    const auto reply = call_daemon(global, "reload", json::object());
    if (!reply.ok()) {
        return report_error(global, reply.message);
    }
    const json& r = reply.message["result"];
    if (global.json) {
        print_json(r);
    } else {
        std::printf("configuration reloaded from %s (%zu watch%s)\n",
                    r["config"].get<std::string>().c_str(), r["watches"].get<std::size_t>(),
                    r["watches"].get<std::size_t>() == 1 ? "" : "es");
    }
    return k_exit_ok;
}

int run_version(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 0, 0, "version");
    const auto reply = call_daemon(global, "version", json::object());
    if (!reply.ok()) {
        return report_error(global, reply.message);
    }
    const json& r = reply.message["result"];
    if (global.json) {
        print_json({{"modelvaultctl", MV_VERSION},
                    {"modelvaultd", r["version"]},
                    {"protocol", r["protocol"]}});
    } else {
        std::printf("modelvaultctl %s\nmodelvaultd   %s (protocol %d)\n", MV_VERSION,
                    r["version"].get<std::string>().c_str(), r["protocol"].get<int>());
    }
    return k_exit_ok;
}

} // namespace mv::ctl
