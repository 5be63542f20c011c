#include "crypto/vault_keys.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crypto/hex.hpp"
#include "util/fs.hpp"
#include "util/json_depth.hpp"

namespace mv::crypto {

namespace {

using nlohmann::json;

constexpr const char* k_signing_file = "signing.json";
constexpr std::size_t k_max_key_file = 64u << 10;

std::string encode_signing_key(const SigningKey& key, const MasterKey& master) {
    const json document = {{"format", "modelvault-signing-key"},
                           {"version", 1},
                           {"public_key", key.public_key().to_pem()},
                           {"private_key", to_hex(key.seal(master))}};
    return document.dump(2) + "\n";
}

// The public key and the sealed seed of keys/signing.json.
Result<std::pair<PublicKey, std::vector<std::uint8_t>>>
read_signing_file(const std::filesystem::path& file) {
    auto text = fs::read_file(file, k_max_key_file, false);
    if (!text) {
        return failure(fmt::format("the vault's signing key is unreadable: {}; restore {} "
                                   "from a copy of the vault",
                                   text.error(), file.string()));
    }
    const auto bad = [&](std::string_view why) {
        return failure(fmt::format("the vault's signing key {} {}; restore it from a copy of "
                                   "the vault",
                                   file.string(), why));
    };
    if (!check_json_depth(*text, "the signing key", 8)) {
        return bad("is not a signing key file");
    }
    const json document = json::parse(*text, nullptr, false);
    if (!document.is_object() || document.value("format", "") != "modelvault-signing-key" ||
        document.value("version", 0) != 1 || !document.contains("public_key") ||
        !document["public_key"].is_string() || !document.contains("private_key") ||
        !document["private_key"].is_string()) {
        return bad("is not a modelvault signing key file, version 1");
    }
    auto public_key = PublicKey::from_pem(document["public_key"].get<std::string>());
    if (!public_key) {
        return bad("has a \"public_key\" that " + public_key.error());
    }
    auto sealed = from_hex(document["private_key"].get<std::string>());
    if (!sealed) {
        return bad("has a \"private_key\" that is not hex");
    }
    return std::pair{*public_key, std::move(*sealed)};
}

} // namespace

Result<VaultKeys> create_vault_keys(const std::filesystem::path& keys_dir,
                                    const std::filesystem::path& tmp, const UserKey& user,
                                    const RecordOrigin& origin) {
    const KeyRing ring(keys_dir, tmp);
    auto listing = ring.list();
    if (!listing) {
        return failure(listing.error());
    }
    if (!listing->records.empty() || !listing->damaged.empty()) {
        return failure(fmt::format("{} already holds the keys of a vault: a vault has one master "
                                   "key; add a key with `modelvaultctl key add`",
                                   keys_dir.string()));
    }
    VaultKeys keys{MasterKey::generate(), {}, SigningKey::generate()};
    // The signing key first: a crash before the record leaves a vault no key opens, which
    // the next create replaces whole.
    auto written = fs::create_directories_durable(keys_dir).and_then([&] {
        return fs::write_file_atomic(keys_dir / k_signing_file,
                                     encode_signing_key(keys.signing, keys.master), tmp, 0400);
    });
    if (!written) {
        return failure(written.error());
    }
    auto record = ring.create(keys.master, user, origin);
    if (!record) {
        return failure(record.error());
    }
    keys.record_id = std::move(*record);
    return keys;
}

Result<VaultKeys> open_vault_keys(const std::filesystem::path& keys_dir,
                                  const std::filesystem::path& tmp, const UserKey& user) {
    auto unlocked = KeyRing(keys_dir, tmp).unlock(user);
    if (!unlocked) {
        return failure(unlocked.error());
    }
    const auto file = keys_dir / k_signing_file;
    auto stored = read_signing_file(file);
    if (!stored) {
        return failure(stored.error());
    }
    auto signing = SigningKey::open(unlocked->master, stored->second, stored->first);
    if (!signing) {
        return failure(fmt::format("the vault's signing key {} {}; restore it from a copy of "
                                   "the vault",
                                   file.string(), signing.error()));
    }
    return VaultKeys{std::move(unlocked->master), std::move(unlocked->record_id),
                     std::move(*signing)};
}

Result<PublicKey> read_vault_public_key(const std::filesystem::path& keys_dir) {
    auto stored = read_signing_file(keys_dir / k_signing_file);
    if (!stored) {
        return failure(stored.error());
    }
    return stored->first;
}

Result<PublicKey> read_public_key_file(const std::filesystem::path& file) {
    auto text = fs::read_file(file, k_max_key_file);
    if (!text) {
        return failure(fmt::format("cannot read the public key: {}", text.error()));
    }
    auto key = PublicKey::from_pem(*text);
    if (!key) {
        return failure(fmt::format("public key file {} {}", file.string(), key.error()));
    }
    return key;
}

} // namespace mv::crypto
