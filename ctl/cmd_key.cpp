// modelvaultctl key …: key files and the keys of an encrypted vault (docs/FORMAT.md,
// "Encryption"). These run here, with the caller's rights, and need no daemon: `init`
// makes a file; `list`, `add`, `remove` and `public` read and write the vault's keys/
// folder directly, one atomic file each, as restic's `key` does; `add` and `remove` go to
// the vault's audit log (ctl/local_audit.hpp).
#include <cstdio>
#include <unistd.h>

#include <fmt/format.h>

#include "crypto/vault_keys.hpp"
#include "ctl/command_impl.hpp"
#include "ctl/local_audit.hpp"
#include "ctl/output.hpp"
#include "util/time.hpp"

namespace mv::ctl {

namespace {

constexpr const char* k_key_usage =
    "key init FILE | key list --vault DIR | key add FILE --vault DIR --key-file KEY | "
    "key remove ID --vault DIR --key-file KEY | key public --vault DIR";

void print_text(const std::string& text) {
    std::fputs(text.c_str(), stdout);
}

int key_init(const GlobalOptions& global, const std::string& file) {
    if (auto made = crypto::create_key_file(file); !made) {
        return report_error(global, Error(made.error(), ErrorCode::io));
    }
    if (global.json) {
        print_json({{"file", file}, {"mode", "0400"}});
    } else {
        print_text(fmt::format("made key file {} (mode 0400, a random 256-bit key)\n"
                               "Keep a copy somewhere safe and separate from the vault: whoever "
                               "holds it can read the vault, and without it nobody can.\n",
                               file));
    }
    return k_exit_ok;
}

std::filesystem::path required(const ParsedArgs& args, const char* option) {
    auto value = args.value(option);
    if (!value) {
        throw UsageError(
            fmt::format("--{} is required; usage: modelvaultctl {}", option, k_key_usage));
    }
    return *value;
}

crypto::UserKey user_key(const std::filesystem::path& file) {
    auto key = crypto::read_user_key(file);
    if (!key) {
        throw Error(key.error(), ErrorCode::invalid_argument);
    }
    for (const auto& warning : key->warnings) {
        std::fprintf(stderr, "modelvaultctl: warning: %s\n", warning.c_str());
    }
    return std::move(*key);
}

crypto::RecordOrigin origin() {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return {format_utc(SystemClock().now()), host, {}};
}

crypto::KeyRing ring_of(const std::filesystem::path& vault) {
    return {vault / "keys", vault / "keys"};
}

int key_list(const GlobalOptions& global, const std::filesystem::path& vault) {
    auto listing = ring_of(vault).list();
    if (!listing) {
        return report_error(global, Error(listing.error(), ErrorCode::io));
    }
    if (listing->records.empty() && listing->damaged.empty()) {
        return report_error(global, Error(fmt::format("{} has no keys: it is not an encrypted "
                                                      "vault",
                                                      vault.string()),
                                          ErrorCode::not_found));
    }
    if (global.json) {
        json keys = json::array();
        for (const auto& r : listing->records) {
            keys.push_back({{"id", r.id},
                            {"created", r.created},
                            {"host", r.host},
                            {"kind", crypto::to_string(r.kind)},
                            {"origin", r.origin}});
        }
        print_json({{"keys", keys}, {"damaged", listing->damaged}});
        return k_exit_ok;
    }
    Table table({"ID", "CREATED", "HOST", "KIND", "ADDED FROM"});
    for (const auto& r : listing->records) {
        table.add({r.id, r.created, r.host, crypto::to_string(r.kind), r.origin});
    }
    print_text(table.render());
    for (const auto& problem : listing->damaged) {
        std::fprintf(stderr, "modelvaultctl: damaged: %s\n", problem.c_str());
    }
    return listing->damaged.empty() ? k_exit_ok : k_exit_failure;
}

int key_change(const GlobalOptions& global, const ParsedArgs& args, bool add) {
    const auto vault = required(args, "vault");
    const std::string target = args.positional()[1];
    const std::string command = add ? "key add" : "key remove";
    // Accepted or refused, a key change is recorded (docs/NOTIFICATIONS.md, "Audit log").
    const auto refused = [&](const Error& error) {
        audit_locally(vault, command, target, error);
        return report_error(global, error);
    };
    const auto ring = ring_of(vault);
    auto opened = ring.unlock(user_key(required(args, "key-file")));
    if (!opened) {
        return refused(Error(opened.error(), ErrorCode::forbidden));
    }
    auto done = add ? ring.add(opened->master, user_key(target), origin())
                    : ring.remove(target, opened->record_id);
    if (!done) {
        return refused(Error(done.error(), ErrorCode::conflict));
    }
    audit_locally(vault, command, fmt::format("{} (key {})", target, *done), std::nullopt);
    if (global.json) {
        print_json({{add ? "added" : "removed", *done}});
    } else {
        print_text(
            add ? fmt::format("added key {} ({}); it opens {} from now on\n", *done, target,
                              vault.string())
                : fmt::format("removed key {}: it no longer opens {}\n", *done, vault.string()));
    }
    return k_exit_ok;
}

int key_public(const GlobalOptions& global, const std::filesystem::path& vault) {
    auto key = crypto::read_vault_public_key(vault / "keys");
    if (!key) {
        return report_error(global, Error(key.error(), ErrorCode::not_found));
    }
    if (global.json) {
        print_json({{"public_key", key->to_pem()}, {"fingerprint", key->fingerprint()}});
    } else {
        print_text(key->to_pem());
    }
    return k_exit_ok;
}

} // namespace

int run_key(const GlobalOptions& global, const ParsedArgs& args) {
    const auto& positional = args.positional();
    const std::string action = positional.empty() ? "" : positional[0];
    if (action == "init" || action == "add" || action == "remove") {
        expect_positional(args, 2, 2, k_key_usage);
    } else {
        expect_positional(args, 1, 1, k_key_usage);
    }
    if (action == "init") {
        return key_init(global, positional[1]);
    }
    if (action == "list") {
        return key_list(global, required(args, "vault"));
    }
    if (action == "add" || action == "remove") {
        return key_change(global, args, action == "add");
    }
    if (action == "public") {
        return key_public(global, required(args, "vault"));
    }
    throw UsageError(
        fmt::format("unknown key command \"{}\"; usage: modelvaultctl {}", action, k_key_usage));
}

} // namespace mv::ctl
