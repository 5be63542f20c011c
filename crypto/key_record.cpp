#include "crypto/key_record.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crypto/aead.hpp"
#include "crypto/hex.hpp"
#include "crypto/random.hpp"
#include "util/json_depth.hpp"

namespace mv::crypto {

namespace {

using nlohmann::json;

constexpr std::size_t k_salt_size = 32;
constexpr std::size_t k_id_size = 8;

std::vector<std::uint8_t> wrap_associated_data(const std::string& id) {
    return associated_data(Role::key_record,
                           {reinterpret_cast<const std::uint8_t*>(id.data()), id.size()});
}

// The key-encryption key of `user` under `record`'s KDF and salt.
Result<Key> key_encryption_key(const KeyRecord& record, const UserKey& user) {
    if (user.kind == UserKeyKind::random) {
        return hkdf_sha256(user.random.bytes(), record.salt, "modelvault key file v1");
    }
    return scrypt(user.passphrase, record.salt, record.scrypt);
}

std::string text_field(const json& object, const char* name) {
    const auto it = object.find(name);
    if (it == object.end() || !it->is_string()) {
        throw std::invalid_argument(fmt::format("\"{}\" is missing or not a string", name));
    }
    return it->get<std::string>();
}

std::vector<std::uint8_t> hex_field(const json& object, const char* name, std::size_t min_size) {
    auto bytes = from_hex(text_field(object, name));
    if (!bytes || bytes->size() < min_size) {
        throw std::invalid_argument(
            fmt::format("\"{}\" is not hex of at least {} bytes", name, min_size));
    }
    return *bytes;
}

std::uint64_t number_field(const json& object, const char* name) {
    const auto it = object.find(name);
    if (it == object.end() || !it->is_number_unsigned()) {
        throw std::invalid_argument(fmt::format("\"kdf\".\"{}\" is missing or not a number", name));
    }
    return it->get<std::uint64_t>();
}

void read_kdf(const json& kdf, KeyRecord& record) {
    if (!kdf.is_object()) {
        throw std::invalid_argument("\"kdf\" is missing or not an object");
    }
    const std::string name = text_field(kdf, "name");
    record.salt = hex_field(kdf, "salt", 16);
    if (name == "hkdf-sha256" && record.kind == UserKeyKind::random) {
        return;
    }
    if (name != "scrypt" || record.kind != UserKeyKind::passphrase) {
        throw std::invalid_argument(fmt::format("\"kdf\".\"name\" \"{}\" does not fit \"kind\" "
                                                "\"{}\"",
                                                name, to_string(record.kind)));
    }
    const auto n = number_field(kdf, "n");
    const auto r = number_field(kdf, "r");
    const auto p = number_field(kdf, "p");
    if (r > UINT32_MAX || p > UINT32_MAX) {
        throw std::invalid_argument("\"kdf\": scrypt r or p is too large");
    }
    record.scrypt = {n, static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(p)};
    if (auto valid = check_scrypt_params(record.scrypt); !valid) {
        throw std::invalid_argument("\"kdf\": " + valid.error());
    }
}

} // namespace

std::string new_record_id() {
    return to_hex(random_bytes(k_id_size));
}

bool is_record_id(std::string_view text) {
    return text.size() == 2 * k_id_size && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::string encode_key_record(const KeyRecord& record) {
    json kdf = {{"name", record.kind == UserKeyKind::random ? "hkdf-sha256" : "scrypt"}};
    if (record.kind == UserKeyKind::passphrase) {
        kdf["n"] = record.scrypt.n;
        kdf["r"] = record.scrypt.r;
        kdf["p"] = record.scrypt.p;
    }
    kdf["salt"] = to_hex(record.salt);
    const json document = {{"format", "modelvault-key"},
                           {"version", 1},
                           {"id", record.id},
                           {"created", record.created},
                           {"host", record.host},
                           {"origin", record.origin},
                           {"kind", to_string(record.kind)},
                           {"kdf", kdf},
                           {"master_key", to_hex(record.wrapped)}};
    return document.dump(2) + "\n";
}

Result<KeyRecord> parse_key_record(std::string_view text) {
    if (auto depth = check_json_depth(text, "the key record", 8); !depth) {
        return failure(depth.error());
    }
    const json document = json::parse(text, nullptr, false);
    if (!document.is_object()) {
        return failure("is not a JSON object");
    }
    try {
        KeyRecord record;
        if (text_field(document, "format") != "modelvault-key" ||
            document.value("version", json()) != json(1)) {
            return failure("is not a modelvault key record, version 1 (\"format\", \"version\")");
        }
        record.id = text_field(document, "id");
        if (!is_record_id(record.id)) {
            return failure("has an \"id\" that is not 16 lowercase hex digits");
        }
        record.created = text_field(document, "created");
        record.host = text_field(document, "host");
        record.origin = text_field(document, "origin");
        const std::string kind = text_field(document, "kind");
        if (kind != to_string(UserKeyKind::random) && kind != to_string(UserKeyKind::passphrase)) {
            return failure(fmt::format("has an unknown \"kind\" \"{}\"", kind));
        }
        record.kind =
            kind == to_string(UserKeyKind::random) ? UserKeyKind::random : UserKeyKind::passphrase;
        read_kdf(document.contains("kdf") ? document["kdf"] : json(), record);
        record.wrapped = hex_field(document, "master_key", k_seal_overhead + k_key_size);
        return record;
    } catch (const std::invalid_argument& e) {
        return failure(fmt::format("has a bad field: {}", e.what()));
    }
}

Result<KeyRecord> wrap_master_key(const MasterKey& master, const UserKey& user, std::string id,
                                  const RecordOrigin& origin) {
    KeyRecord record;
    record.id = std::move(id);
    record.created = origin.created;
    record.host = origin.host;
    record.origin = user.file.string();
    record.kind = user.kind;
    record.scrypt = origin.scrypt;
    record.salt = random_bytes(k_salt_size);
    const auto kek = key_encryption_key(record, user);
    if (!kek) {
        return failure(
            fmt::format("{} {}: {}", to_string(user.kind), user.file.string(), kek.error()));
    }
    record.wrapped = seal(*kek, master.raw().bytes(), wrap_associated_data(record.id));
    return record;
}

Result<std::optional<MasterKey>> unwrap_master_key(const KeyRecord& record, const UserKey& user) {
    if (record.kind != user.kind) {
        return std::optional<MasterKey>();
    }
    auto kek = key_encryption_key(record, user);
    if (!kek) {
        return failure(kek.error());
    }
    auto raw = open(*kek, record.wrapped, wrap_associated_data(record.id));
    if (!raw || raw->size() != k_key_size) {
        return std::optional<MasterKey>();
    }
    const Key key(std::span<const std::uint8_t, k_key_size>(raw->data(), k_key_size));
    std::fill(raw->begin(), raw->end(), 0);
    return std::optional<MasterKey>(MasterKey(key));
}

} // namespace mv::crypto
