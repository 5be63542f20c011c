#include "vault/encryption.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/error.hpp"

namespace mv::vault {

std::filesystem::path keys_dir(const std::filesystem::path& root) {
    return root / "keys";
}

std::optional<crypto::VaultKeys> open_vault_encryption(const std::filesystem::path& root,
                                                       bool encrypted, bool fresh,
                                                       const std::filesystem::path& key_file,
                                                       const std::string& created,
                                                       const std::string& host) {
    if (key_file.empty()) {
        if (encrypted) {
            throw Fatal(fmt::format("the vault {} is encrypted and no key was given: set "
                                    "encryption.key_file to one of its key files (`modelvaultctl "
                                    "key list --vault {}` shows where each was added from)",
                                    root.string(), root.string()));
        }
        return std::nullopt;
    }
    if (!encrypted && !fresh) {
        throw Fatal(fmt::format("encryption.key_file is set but the vault {} is not encrypted: "
                                "nothing in it would be protected, and it is never encrypted "
                                "silently. Remove encryption.key_file, or point `vault` at a new "
                                "empty folder and move the versions over with `modelvaultctl "
                                "export` and `import` (docs/CONFIG.md, \"encryption\")",
                                root.string()));
    }
    auto user = crypto::read_user_key(key_file);
    if (!user) {
        throw Fatal(user.error());
    }
    for (const auto& warning : user->warnings) {
        spdlog::warn("{}", warning);
    }
    const auto dir = keys_dir(root);
    auto keys = fresh ? crypto::create_vault_keys(dir, dir, *user, {created, host, {}})
                      : crypto::open_vault_keys(dir, dir, *user);
    if (!keys) {
        throw Fatal(fmt::format("cannot open the vault {}: {}", root.string(), keys.error()));
    }
    spdlog::info("vault: {} is encrypted; opened with key {} ({})", root.string(), keys->record_id,
                 key_file.string());
    return std::move(*keys);
}

} // namespace mv::vault
