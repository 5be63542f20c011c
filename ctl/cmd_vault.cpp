// modelvaultctl vault encrypt --vault DIR --key-file FILE: converts a plain vault into an
// encrypted one (vault/encrypt_vault.hpp, docs/FORMAT.md "Converting a plain vault"). It
// runs here, as the caller, with the daemon stopped: the vault's lock says when it is not.
#include <cstdio>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ctl/command_impl.hpp"
#include "ctl/local_audit.hpp"
#include "ctl/output.hpp"
#include "util/time.hpp"
#include "vault/encrypt_vault.hpp"

namespace mv::ctl {

namespace {

constexpr const char* k_vault_usage = "vault encrypt --vault DIR --key-file FILE";

std::string vault_option(const ParsedArgs& args, const char* option) {
    auto value = args.value(option);
    if (!value) {
        throw UsageError(
            fmt::format("--{} is required; usage: modelvaultctl {}", option, k_vault_usage));
    }
    return *value;
}

} // namespace

int run_vault(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 1, 1, k_vault_usage);
    if (args.positional()[0] != "encrypt") {
        throw UsageError(fmt::format("unknown vault command \"{}\"; usage: modelvaultctl {}",
                                     args.positional()[0], k_vault_usage));
    }
    const std::string vault = vault_option(args, "vault");
    const std::string key_file = vault_option(args, "key-file");
    spdlog::set_level(spdlog::level::warn); // the vault's own start-up lines are noise here
    SystemClock clock;
    const auto report = [&](const std::string& line) {
        if (!global.json) {
            std::fprintf(stderr, "%s\n", line.c_str());
        }
    };
    // Done or refused, the conversion is recorded in the vault's audit log (the new
    // vault's, which carries the old one's state; ctl/local_audit.hpp).
    vault::ConversionResult result;
    try {
        result = vault::encrypt_vault(vault, key_file, clock, report);
    } catch (const Error& e) {
        audit_locally(vault, "vault encrypt", vault, e);
        throw;
    } catch (const std::exception& e) {
        audit_locally(vault, "vault encrypt", vault, Error(e.what(), ErrorCode::internal));
        throw;
    }
    audit_locally(vault, "vault encrypt", fmt::format("{} (key {})", vault, result.key_record),
                  std::nullopt);
    if (global.json) {
        print_json({{"vault", vault},
                    {"versions", result.versions},
                    {"key", result.key_record},
                    {"signing_key", result.public_key},
                    {"finished_only", result.finished_only}});
    } else if (result.finished_only) {
        std::printf("%s was already encrypted; removed the plain copy an interrupted conversion "
                    "left beside it\n",
                    vault.c_str());
    } else {
        std::printf("encrypted %s: %zu version%s, key %s (%s), signing key %s.\n"
                    "Set encryption.key_file: %s in modelvaultd's configuration before you "
                    "start it again; it refuses to start on this vault without it.\n",
                    vault.c_str(), result.versions, result.versions == 1 ? "" : "s",
                    result.key_record.c_str(), key_file.c_str(), result.public_key.c_str(),
                    key_file.c_str());
    }
    return k_exit_ok;
}

} // namespace mv::ctl
