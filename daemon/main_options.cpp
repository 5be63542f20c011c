#include "daemon/main_options.hpp"

#include <csignal>
#include <cstdio>
#include <malloc.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/load.hpp"
#include "daemon/daemon.hpp"
#include "daemon/logging.hpp"
#include "daemon/replicas.hpp"
#include "util/error.hpp"

namespace mv::daemon {

namespace {

constexpr const char* k_help = R"(usage: modelvaultd [--config FILE] [--log-level LEVEL]
       modelvaultd --check-config FILE
       modelvaultd [--config FILE] --recover-from REPLICA

Watches the folders where training jobs write models and keeps semver-tagged,
deduplicated, compressed, SHA-256-verified versions of them in a vault. It runs in
the foreground (under systemd as Type=notify) and is driven with modelvaultctl.
A vault of format 1 (one archive per version) is upgraded to format 2 when the
daemon starts, before it serves; the upgrade resumes if it is interrupted.

options:
  --config FILE        configuration file (default /etc/modelvault/modelvault.json)
  --check-config FILE  validate FILE, print every problem, and exit (0 = valid)
  --log-level LEVEL    override log_level: trace debug info warn error critical off
  --recover-from REPLICA
                       rebuild the vault from the off-site replica REPLICA of the
                       config (into `vault`, which must not exist or be empty), then
                       exit; start the daemon afterwards (docs/REPLICAS.md)
  --version            print the version and exit
  -h, --help           show this help

exit codes: 0 stopped cleanly, 1 failure, 2 usage error, 78 invalid configuration
docs: docs/CONFIG.md (every key), docs/FORMAT.md (the vault), docs/PROTOCOL.md,
      docs/REPLICAS.md (off-site replicas and recovery)
)";

std::optional<config::LogLevel> parse_level(const std::string& text) {
    for (auto level : {config::LogLevel::trace, config::LogLevel::debug, config::LogLevel::info,
                       config::LogLevel::warn, config::LogLevel::error, config::LogLevel::critical,
                       config::LogLevel::off}) {
        if (text == config::to_string(level)) {
            return level;
        }
    }
    return std::nullopt;
}

// Under systemd each line reaches the journal at priority err (the journal stream reads
// one entry per line).
void print_problems(const config::ConfigError& e, const std::filesystem::path& file) {
    const char* prefix = error_line_prefix();
    std::fprintf(stderr, "%s%s: invalid configuration (%zu problem%s):\n", prefix, file.c_str(),
                 e.problems().size(), e.problems().size() == 1 ? "" : "s");
    for (const auto& problem : e.problems()) {
        std::fprintf(stderr, "%s  %s\n", prefix, problem.to_string().c_str());
    }
}

} // namespace

MainOptions parse_main_options(const std::vector<std::string>& args) {
    MainOptions options;
    const auto value_of = [&](std::size_t& i) -> const std::string& {
        if (i + 1 >= args.size()) {
            throw Fatal(fmt::format("{} needs a value; see modelvaultd --help", args[i]),
                        k_exit_usage);
        }
        return args[++i];
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--config") {
            options.config = value_of(i);
        } else if (arg == "--check-config") {
            options.config = value_of(i);
            options.check_only = true;
        } else if (arg == "--log-level") {
            const std::string& text = value_of(i);
            options.log_level = parse_level(text);
            if (!options.log_level) {
                throw Fatal(fmt::format("unknown log level \"{}\": use trace, debug, info, warn, "
                                        "error, critical or off",
                                        text),
                            k_exit_usage);
            }
        } else if (arg == "--recover-from") {
            options.recover_from = value_of(i);
        } else if (arg == "--version") {
            options.show_version = true;
        } else if (arg == "-h" || arg == "--help") {
            options.show_help = true;
        } else {
            throw Fatal(fmt::format("unknown argument \"{}\"; see modelvaultd --help", arg),
                        k_exit_usage);
        }
    }
    return options;
}

int daemon_main(int argc, char** argv) {
    MainOptions options;
    try {
        options = parse_main_options(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const Fatal& e) {
        std::fprintf(stderr, "%smodelvaultd: %s\n", error_line_prefix(), e.what());
        return e.exit_code();
    }
    if (options.show_help) {
        std::fputs(k_help, stdout);
        return 0;
    }
    if (options.show_version) {
        std::printf("modelvaultd %s\n", MV_VERSION);
        return 0;
    }
    config::Config config;
    try {
        config = config::load_config(options.config);
    } catch (const config::ConfigError& e) {
        print_problems(e, options.config);
        return k_exit_config;
    }
    if (options.check_only) {
        std::printf("%s: valid (%zu watch%s, vault %s, socket %s)\n", options.config.c_str(),
                    config.watches.size(), config.watches.size() == 1 ? "" : "es",
                    config.vault.c_str(), config.socket.c_str());
        return 0;
    }
    if (options.log_level) {
        config.log_level = *options.log_level;
    }
    setup_logging(config.log_level);
    if (options.recover_from) {
        try {
            return recover_vault(config, *options.recover_from);
        } catch (const Fatal& e) {
            spdlog::critical("{}", e.what());
            return e.exit_code();
        } catch (const std::exception& e) {
            spdlog::critical("recovery from replica {} failed: {}", *options.recover_from,
                             e.what());
            return 1;
        }
    }
    // Every backup runs compression and verification threads; glibc would give each new
    // thread its own malloc arena and keep the memory. Two arenas keep the daemon's
    // footprint flat whatever the number and size of the models (docs/FORMAT.md).
    ::mallopt(M_ARENA_MAX, 2);
    // Chunk buffers, compressed chunks and planes are MiBs each. glibc raises its mmap
    // threshold to the largest block freed, after which such buffers come from the arenas
    // and stay there once freed: 45 MiB more at the peak of a backup (bench/README.md).
    // A fixed threshold maps them and gives them back; the backup keeps its own spares.
    ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
    // A client that stops reading the version it asked for closes its pipe: the write
    // must fail with EPIPE (and end that stream), not kill the daemon.
    ::signal(SIGPIPE, SIG_IGN);
    try {
        SystemClock clock;
        Daemon daemon(std::move(config), clock);
        return daemon.run();
    } catch (const Fatal& e) {
        spdlog::critical("{}", e.what());
        return e.exit_code();
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}

} // namespace mv::daemon
