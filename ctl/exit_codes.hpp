#pragma once
// modelvaultctl's exit codes (docs/CLI.md).

namespace mv::ctl {

inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_failure = 1;     ///< the command failed (including verification)
inline constexpr int k_exit_usage = 2;       ///< the command line was wrong
inline constexpr int k_exit_unreachable = 3; ///< modelvaultd could not be reached

} // namespace mv::ctl
