// crashfs: a FUSE file system for power-cut tests. It passes everything through to a
// backing folder and remembers what a power cut would lose (crash_log.hpp). SIGUSR1 is
// the power cut — or, with --cut-at-op N, the Nth mutating operation after SIGUSR2 —:
// every operation fails from then on, and when the file system is unmounted
// (fusermount3 -u, or SIGTERM) the non-durable changes are taken back on the backing
// folder. Without a cut an unmount is clean and nothing is taken back.
// tests/README.md describes the model and tests/powercut/powercut.py drives it.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/powercut/crashfs_ops.hpp"

namespace {

constexpr const char* k_usage =
    "usage: crashfs [--seed N] [--cut random|lose-all|keep-all] [--cut-at-op N] BACKING "
    "MOUNTPOINT\n"
    "Mounts BACKING at MOUNTPOINT (in the foreground). SIGUSR1 cuts the power; with\n"
    "--cut-at-op, so does the Nth mutating operation after SIGUSR2. From then on every\n"
    "operation fails, and at unmount everything not made durable by fsync is taken back\n"
    "from BACKING (at random, or all of it with --cut lose-all; --cut keep-all keeps\n"
    "everything: a SIGKILL at that operation). A JSON line on stdout\n"
    "says what was taken back. Removed files wait in BACKING.crashfs-grave meanwhile.\n";

struct Options {
    std::uint64_t seed = 1;
    std::uint64_t cut_at_op = 0;
    mv::powercut::CutMode mode = mv::powercut::CutMode::random;
    std::filesystem::path backing;
    std::string mountpoint;
};

bool parse(int argc, char** argv, Options& options) {
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--seed" && i + 1 < argc) {
            options.seed = std::strtoull(argv[++i], nullptr, 10);
        } else if (arg == "--cut-at-op" && i + 1 < argc) {
            options.cut_at_op = std::strtoull(argv[++i], nullptr, 10);
        } else if (arg == "--cut" && i + 1 < argc) {
            const std::string mode = argv[++i];
            if (mode == "random") {
                options.mode = mv::powercut::CutMode::random;
            } else if (mode == "lose-all") {
                options.mode = mv::powercut::CutMode::lose_all;
            } else if (mode == "keep-all") {
                options.mode = mv::powercut::CutMode::keep_all;
            } else {
                return false;
            }
        } else if (!arg.starts_with("-")) {
            positional.push_back(arg);
        } else {
            return false;
        }
    }
    if (positional.size() != 2) {
        return false;
    }
    options.backing = std::filesystem::absolute(positional[0]).lexically_normal();
    options.mountpoint = positional[1];
    return true;
}

void on_power_cut(int) {
    mv::powercut::power_off();
}

void on_arm(int) {
    mv::powercut::arm_cut();
}

void print_report(const mv::powercut::CutReport& r) {
    std::printf(
        "{\"cut\": true, \"frozen_at\": %.9f, \"operations_armed\": %llu, \"ops_kept\": %zu, "
        "\"ops_undone\": %zu, \"files_lost\": %zu, \"files_torn\": %zu, "
        "\"files_kept\": %zu, \"blocks_reverted\": %zu}\n",
        mv::powercut::frozen_at(),
        static_cast<unsigned long long>(mv::powercut::operations_since_armed()), r.ops_kept,
        r.ops_undone, r.files_lost, r.files_torn, r.files_kept, r.blocks_reverted);
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parse(argc, argv, options)) {
        std::fputs(k_usage, stderr);
        return 2;
    }
    if (!std::filesystem::is_directory(options.backing)) {
        std::fprintf(stderr, "crashfs: %s is not a directory\n", options.backing.c_str());
        return 2;
    }
    const std::filesystem::path grave = options.backing.string() + ".crashfs-grave";
    std::filesystem::remove_all(grave);
    std::filesystem::create_directories(grave);
    mv::powercut::CrashLog log(options.backing, grave, options.seed);

    struct sigaction action {};
    action.sa_handler = on_power_cut;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGUSR1, &action, nullptr);
    action.sa_handler = on_arm;
    ::sigaction(SIGUSR2, &action, nullptr);
    mv::powercut::cut_at_operation(options.cut_at_op);

    // Foreground, single-threaded (operations are logged in the order they happen).
    std::string program = argv[0];
    std::string mountpoint = options.mountpoint;
    std::string foreground = "-f";
    std::string single = "-s";
    std::string dash_o = "-o";
    std::string mount_options = "fsname=crashfs,subtype=crashfs,default_permissions";
    std::vector<char*> fuse_argv = {program.data(), mountpoint.data(), foreground.data(),
                                    single.data(),  dash_o.data(),     mount_options.data()};
    const fuse_operations operations = mv::powercut::crashfs_operations();
    const int status =
        fuse_main(static_cast<int>(fuse_argv.size()), fuse_argv.data(), &operations, &log);
    if (mv::powercut::powered_off()) {
        print_report(log.cut(options.mode));
    } else {
        log.settle();
        std::printf("{\"cut\": false, \"operations_armed\": %llu}\n",
                    static_cast<unsigned long long>(mv::powercut::operations_since_armed()));
    }
    std::filesystem::remove_all(grave);
    return status;
}
