// modelvaultctl key init: makes a key file for an encrypted vault (docs/FORMAT.md,
// "Keys"). It runs here, with the caller's rights, and needs no daemon: the file is the
// caller's to keep.
#include <cstdio>

#include <fmt/format.h>

#include "crypto/key_file.hpp"
#include "ctl/command_impl.hpp"

namespace mv::ctl {

namespace {

constexpr const char* k_key_usage = "key init FILE";

int key_init(const GlobalOptions& global, const std::string& file) {
    if (auto made = crypto::create_key_file(file); !made) {
        return report_error(global, Error(made.error(), ErrorCode::io));
    }
    if (global.json) {
        print_json({{"file", file}, {"mode", "0400"}});
    } else {
        std::printf("%s", fmt::format("made key file {} (mode 0400, a random 256-bit key)\n"
                                      "Keep a copy somewhere safe and separate from the vault: "
                                      "whoever holds it can read the vault, and without it nobody "
                                      "can.\n",
                                      file)
                              .c_str());
    }
    return k_exit_ok;
}

} // namespace

int run_key(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 2, 2, k_key_usage);
    const auto& positional = args.positional();
    if (positional[0] == "init") {
        return key_init(global, positional[1]);
    }
    throw UsageError(fmt::format("unknown key command \"{}\"; usage: modelvaultctl {}",
                                 positional[0], k_key_usage));
}

} // namespace mv::ctl
