// modelvaultctl reload / version
#include <cstdio>

#include "ctl/command_impl.hpp"

namespace mv::ctl {

int run_reload(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 0, 0, "reload");
    return call_and_render(global, "reload", json::object(), [](const json& r) {
        std::printf("configuration reloaded from %s (%zu watch%s)\n",
                    r["config"].get<std::string>().c_str(), r["watches"].get<std::size_t>(),
                    r["watches"].get<std::size_t>() == 1 ? "" : "es");
        return k_exit_ok;
    });
}

int run_version(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 0, 0, "version");
    Rendering rendering{[](const json& r) {
                            std::printf("modelvaultctl %s\nmodelvaultd   %s (protocol %d)\n",
                                        MV_VERSION, r["version"].get<std::string>().c_str(),
                                        r["protocol"].get<int>());
                            return k_exit_ok;
                        },
                        // The client's own version beside the daemon's.
                        [](const json& r) -> json {
                            return {{"modelvaultctl", MV_VERSION},
                                    {"modelvaultd", r["version"]},
                                    {"protocol", r["protocol"]}};
                        }};
    return call_and_render(global, Call{"version"}, rendering);
}

} // namespace mv::ctl
