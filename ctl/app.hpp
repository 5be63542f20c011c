#pragma once
// modelvaultctl as a library: main() parses argv into an Invocation and runs it; tests
// can run the same code in process.

#include <filesystem>
#include <string>
#include <vector>

namespace mv::ctl {

struct GlobalOptions {
    std::filesystem::path socket; ///< resolved: --socket, $MODELVAULT_SOCKET, --config, default
    std::filesystem::path config = "/etc/modelvault/modelvault.json"; ///< --config FILE
    bool json = false;
    bool progress = true;
};

/// The whole program; returns the exit code (ctl/exit_codes.hpp).
int ctl_main(const std::vector<std::string>& args);

} // namespace mv::ctl
