#pragma once
// The commands of modelvaultctl (docs/CLI.md), each sending one request and presenting the
// answer for humans or as JSON.

#include <string>
#include <vector>

#include "ctl/app.hpp"
#include "ctl/args.hpp"

namespace mv::ctl {

struct CommandInfo {
    std::string name;
    std::string usage;   ///< "restore MODEL[@SEL] --to DIR [--force]"
    std::string summary; ///< one line
    std::string help;    ///< details and examples
    std::vector<OptionSpec> options;
    int (*run)(const GlobalOptions& global, const ParsedArgs& args);
};

/// Every command, in the order `--help` lists them.
const std::vector<CommandInfo>& all_commands();

} // namespace mv::ctl
