#include "ctl/app.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "config/load.hpp"
#include "ctl/commands.hpp"
#include "ctl/exit_codes.hpp"
#include "ctl/request.hpp"
#include "ipc/client.hpp"

namespace mv::ctl {

namespace {

constexpr const char* k_default_socket = "/run/modelvault/modelvault.sock";

const std::vector<OptionSpec> k_global_options = {
    {"socket", true, false},       {"config", true, false}, {"json", false, false},
    {"no-progress", false, false}, {"help", false, false},  {"h", false, false},
    {"version", false, false}};

void print_usage() {
    std::string text = "usage: modelvaultctl [--socket PATH | --config FILE] [--json] "
                       "[--no-progress] COMMAND ...\n\n"
                       "Talks to modelvaultd, which keeps versioned, verified backups of ML "
                       "models.\n\ncommands:\n";
    for (const auto& c : all_commands()) {
        text += fmt::format("  {:<9} {}\n", c.name, c.summary);
    }
    text += "\noptions:\n"
            "  --socket PATH   the daemon's socket (default: $MODELVAULT_SOCKET, else the\n"
            "                  `socket` of --config FILE, else " +
            std::string(k_default_socket) +
            ")\n"
            "  --config FILE   the daemon's config file: its socket path, and its replicas\n"
            "                  for --replica (default /etc/modelvault/modelvault.json)\n"
            "  --json          stable JSON on stdout instead of tables\n"
            "  --no-progress   no progress bars (they only show on a terminal anyway)\n"
            "  --version       print modelvaultctl's version\n\n"
            "`modelvaultctl COMMAND --help` explains a command. Exit codes: 0 ok, 1 failed\n"
            "(including verification failures), 2 usage error, 3 daemon unreachable.\n";
    std::fputs(text.c_str(), stdout);
}

// The index of the command word: the first argument that is neither a global option
// nor the value of one.
std::size_t find_command(const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--socket" || args[i] == "--config") {
            ++i;
        } else if (!args[i].starts_with("-")) {
            return i;
        }
    }
    return args.size();
}

std::filesystem::path resolve_socket(const ParsedArgs& parsed) {
    if (auto socket = parsed.value("socket")) {
        return *socket;
    }
    if (const char* env = std::getenv("MODELVAULT_SOCKET"); env != nullptr && *env != '\0') {
        return env;
    }
    if (auto file = parsed.value("config")) {
        try {
            return config::load_config(*file).socket;
        } catch (const config::ConfigError& e) {
            throw UsageError(
                fmt::format("cannot read the socket path from {}: {}", *file,
                            e.problems().empty() ? e.what() : e.problems().front().to_string()));
        }
    }
    return k_default_socket;
}

} // namespace

int ctl_main(const std::vector<std::string>& args) {
    const std::size_t command_index = find_command(args);
    const std::string name = command_index < args.size() ? args[command_index] : "";
    const auto& commands = all_commands();
    const auto command = std::find_if(commands.begin(), commands.end(),
                                      [&](const CommandInfo& c) { return c.name == name; });
    GlobalOptions global;
    try {
        if (name == "help") {
            print_usage();
            return k_exit_ok;
        }
        if (command == commands.end()) {
            const auto parsed = parse_args(args, k_global_options, "modelvaultctl");
            if (parsed.has("version")) {
                std::printf("modelvaultctl %s\n", MV_VERSION);
                return k_exit_ok;
            }
            if (parsed.has("help") || parsed.has("h") || name.empty()) {
                print_usage();
                return name.empty() && !parsed.has("help") && !parsed.has("h") ? k_exit_usage
                                                                               : k_exit_ok;
            }
            throw UsageError(fmt::format("unknown command \"{}\"; see modelvaultctl --help", name));
        }
        std::vector<std::string> rest(args.begin(),
                                      args.begin() + static_cast<long>(command_index));
        rest.insert(rest.end(), args.begin() + static_cast<long>(command_index) + 1, args.end());
        // A command's own options come first: `import --version X` is not the global
        // `--version` flag.
        std::vector<OptionSpec> specs = command->options;
        specs.insert(specs.end(), k_global_options.begin(), k_global_options.end());
        const ParsedArgs parsed = parse_args(rest, specs, name);
        if (parsed.has("help") || parsed.has("h")) {
            std::printf("usage: modelvaultctl %s\n\n%s\n%s", command->usage.c_str(),
                        command->summary.c_str(),
                        command->help.empty() ? "" : ("\n" + command->help + "\n").c_str());
            return k_exit_ok;
        }
        global.json = parsed.has("json");
        global.progress = !parsed.has("no-progress");
        global.socket = resolve_socket(parsed);
        if (auto file = parsed.value("config")) {
            global.config = *file;
        }
        return command->run(global, parsed);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "modelvaultctl: %s\n", e.what());
        return k_exit_usage;
    } catch (const ipc::UnreachableError& e) {
        std::fprintf(stderr,
                     "modelvaultctl: %s\n"
                     "Is modelvaultd running? Check with `systemctl status modelvaultd`, or point "
                     "modelvaultctl at its socket with --socket PATH or MODELVAULT_SOCKET.\n",
                     e.what());
        return k_exit_unreachable;
    } catch (const Error& e) {
        return report_error(global, e);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "modelvaultctl: %s\n", e.what());
        return k_exit_failure;
    }
}

} // namespace mv::ctl
