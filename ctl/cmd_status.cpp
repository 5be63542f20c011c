// modelvaultctl status
#include <cstdio>

#include "ctl/command_impl.hpp"
#include "ctl/status_view.hpp"
#include "util/time.hpp"

namespace mv::ctl {

int run_status(const GlobalOptions& global, const ParsedArgs&) {
    return call_and_render(global, "status", json::object(), [](const json& r) {
        std::fputs(status_text(r, system_clock().now()).c_str(), stdout);
        return k_exit_ok;
    });
}

} // namespace mv::ctl
