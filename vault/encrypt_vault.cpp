#include "vault/encrypt_vault.hpp"

#include <algorithm>
#include <fcntl.h>
#include <linux/fs.h>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crypto/key_ring.hpp"
#include "crypto/vault_keys.hpp"
#include "util/fs.hpp"
#include "vault/encryption.hpp"
#include "vault/migrate.hpp"
#include "vault/vault.hpp"
#include "vault/version_reader.hpp"

namespace mv::vault {

namespace {

namespace stdfs = std::filesystem;

// What vault.json says: nullopt when there is none (not a vault).
std::optional<bool> marked_encrypted(const stdfs::path& root) {
    auto text = fs::read_file(root / "vault.json", 1u << 20);
    if (!text) {
        return std::nullopt;
    }
    const auto parsed = nlohmann::json::parse(*text, nullptr, false);
    return parsed.is_object() && parsed.value("encrypted", false);
}

void remove_tree(const stdfs::path& folder) {
    std::error_code error;
    stdfs::remove_all(folder, error);
    if (error) {
        throw Error(fmt::format("cannot remove {}: {}; remove it by hand", folder.string(),
                                error.message()),
                    ErrorCode::io);
    }
    (void)fs::sync_directory(folder.parent_path());
}

// Copies the regular files below `from`/`sub` to `to`/`sub` (each written atomically),
// except the daemon's lock.
void copy_tree(const stdfs::path& from, const stdfs::path& to, const char* sub,
               const stdfs::path& tmp) {
    if (!stdfs::is_directory(from / sub)) {
        return;
    }
    for (const auto& entry : stdfs::recursive_directory_iterator(from / sub)) {
        if (!entry.is_regular_file() || entry.path() == from / "state" / "lock") {
            continue;
        }
        const stdfs::path target = to / entry.path().lexically_relative(from);
        auto content = fs::read_file(entry.path(), std::size_t{1} << 32, false);
        const auto mode = static_cast<unsigned>(entry.status().permissions()) & 07777u;
        value_or_throw(fs::create_directories_durable(target.parent_path()), "cannot copy: ");
        value_or_throw(fs::write_file_atomic(
                           target, value_or_throw(std::move(content), "cannot copy: "), tmp, mode),
                       "cannot copy: ");
    }
}

struct ConversionStaging {
    stdfs::path dir;
    ~ConversionStaging() {
        std::error_code ignored;
        stdfs::remove_all(dir, ignored);
    }
};

// One version: its files read back (every chunk and SHA-256 checked) into the plain vault's
// tmp/ — never into the encrypted one — then stored and committed there.
void copy_version(const Vault& plain, Vault& sealed, const Manifest& version) {
    const Manifest full = plain.load(version);
    value_or_throw(check_stored_paths(full),
                   fmt::format("{} {}: ", full.model, full.version.to_string()));
    ConversionStaging staging{plain.tmp_dir() / fmt::format("encrypt-{}", fs::unique_suffix())};
    VersionReader reader(plain.store());
    for (const auto& file : full.files) {
        const stdfs::path target = staging.dir / file.path;
        value_or_throw(fs::create_directories_durable(target.parent_path()), "cannot stage: ");
        UniqueFd out(::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!out) {
            throw Error(errno_message("cannot stage " + target.string(), errno), ErrorCode::io);
        }
        reader.read_file(full, file,
                         [&](std::span<const std::uint8_t> bytes) {
                             value_or_throw(
                                 fs::write_all(out.get(), bytes.data(), bytes.size(), target));
                         },
                         {});
    }
    store_unpacked_version(sealed, full, staging.dir);
}

ConversionResult convert(const stdfs::path& root, const stdfs::path& staging,
                         const stdfs::path& key_file, const Clock& clock,
                         const std::function<void(const std::string&)>& progress) {
    auto plain = Vault::open({root, {}, true, {}}, clock);
    if (const auto damaged = plain->damaged(); !damaged.empty()) {
        throw Error(fmt::format("{} has {} damaged manifest{} ({}): run `modelvaultctl verify "
                                "--all` and repair or remove them first; nothing was changed",
                                root.string(), damaged.size(), damaged.size() == 1 ? "" : "s",
                                damaged.front().file.string()),
                    ErrorCode::corrupt);
    }
    std::vector<Manifest> versions;
    for (const auto& model : plain->models()) {
        for (auto& v : plain->versions(model)) {
            versions.push_back(std::move(v));
        }
    }
    std::sort(versions.begin(), versions.end(), [](const Manifest& a, const Manifest& b) {
        return std::tie(a.model, a.sequence) < std::tie(b.model, b.sequence);
    });
    ConversionResult result;
    {
        auto sealed = Vault::open({staging, {}, true, {}}, clock, {}, key_file);
        for (std::size_t i = 0; i < versions.size(); ++i) {
            if (progress) {
                progress(fmt::format("encrypting {} {} ({} of {})", versions[i].model,
                                     versions[i].version.to_string(), i + 1, versions.size()));
            }
            copy_version(*plain, *sealed, versions[i]);
        }
        for (const char* sub : {"models", "legacy", "state"}) {
            copy_tree(root, staging, sub, sealed->tmp_dir());
        }
    }
    result.versions = versions.size();
    auto records = crypto::KeyRing(keys_dir(staging), keys_dir(staging)).list();
    if (records && !records->records.empty()) {
        result.key_record = records->records.front().id;
    }
    if (auto key = crypto::read_vault_public_key(keys_dir(staging))) {
        result.public_key = key->fingerprint();
    }
    // The one step that changes what `root` is: both folders are complete and durable.
    if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, root.c_str(), RENAME_EXCHANGE) != 0) {
        throw Error(errno_message(fmt::format("cannot swap {} and {} (they must be on one file "
                                              "system, and the vault not a mount point)",
                                              staging.string(), root.string()),
                                  errno),
                    ErrorCode::io);
    }
    value_or_throw(fs::sync_directory(root.parent_path()), "cannot finish the swap: ");
    plain.reset(); // its lock, now below `staging`
    remove_tree(staging);
    return result;
}

} // namespace

stdfs::path conversion_folder(const stdfs::path& root) {
    return root.parent_path() / fmt::format(".{}.encrypting", root.filename().string());
}

ConversionResult encrypt_vault(const stdfs::path& given, const stdfs::path& key_file,
                               const Clock& clock,
                               const std::function<void(const std::string&)>& progress) {
    const stdfs::path root = stdfs::absolute(given).lexically_normal();
    const stdfs::path staging = conversion_folder(root);
    const auto encrypted = marked_encrypted(root);
    if (!encrypted) {
        throw Error(fmt::format("{} has no vault.json: it is not a vault", root.string()),
                    ErrorCode::not_found);
    }
    // What an earlier run left: before the swap an unfinished new vault, after it the old
    // plain one — either way it goes.
    const bool leftover = stdfs::exists(staging);
    if (leftover) {
        remove_tree(staging);
    }
    if (*encrypted) {
        if (leftover) {
            return {0, {}, {}, true};
        }
        throw Error(fmt::format("{} is already encrypted (vault.json says so); `modelvaultctl key "
                                "add` gives it another key",
                                root.string()),
                    ErrorCode::conflict);
    }
    try {
        return convert(root, staging, key_file, clock, progress);
    } catch (...) {
        if (marked_encrypted(root) == false) { // not swapped yet: the plain vault is intact
            std::error_code ignored;
            stdfs::remove_all(staging, ignored);
        }
        throw;
    }
}

} // namespace mv::vault
