#pragma once
// Runs external commands (here: restic) for tests, a bounded number at a time, with
// their output captured in files. Children inherit the environment (TZ included).

#include <filesystem>
#include <string>
#include <vector>

namespace mv::test {

/// How one command ended and what it printed.
struct ProcessResult {
    int exit_code = -1; ///< the exit status; 128+N after signal N; 127 when it could not start
    std::string out;    ///< standard output
    std::string err;    ///< standard error (or why the command could not start)
};

/// Runs every command in `commands` (argv[0] is looked up in PATH), at most `jobs` at
/// once, with stdin from /dev/null and stdout/stderr captured through files in
/// `scratch`. Returns the results in the order of `commands`.
std::vector<ProcessResult> run_all(const std::vector<std::vector<std::string>>& commands,
                                   const std::filesystem::path& scratch, int jobs = 2);

/// Runs one command; see run_all.
ProcessResult run(const std::vector<std::string>& command, const std::filesystem::path& scratch);

} // namespace mv::test
