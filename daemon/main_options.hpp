#pragma once
// modelvaultd's command line: modelvaultd [--config FILE] [--check-config FILE]
// [--log-level LEVEL] [--recover-from REPLICA] [--version] [--help].

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace mv::daemon {

/// Exit codes: 0 ok, 1 runtime failure, 2 usage error, 78 invalid configuration
/// (EX_CONFIG; the unit's RestartPreventExitStatus keeps systemd from looping on it).
inline constexpr int k_exit_usage = 2;
inline constexpr int k_exit_config = 78;

struct MainOptions {
    std::filesystem::path config = "/etc/modelvault/modelvault.json";
    bool check_only = false;
    std::optional<config::LogLevel> log_level;
    bool show_version = false;
    bool show_help = false;
    std::optional<std::string> recover_from; ///< --recover-from: a replica's name
};

/// Parses argv; throws Fatal(message, k_exit_usage) for a usage error.
MainOptions parse_main_options(const std::vector<std::string>& args);

/// The whole program; returns its exit code.
int daemon_main(int argc, char** argv);

} // namespace mv::daemon
