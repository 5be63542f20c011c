#include "vault/manifest_signature.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crypto/hex.hpp"
#include "util/fs.hpp"

namespace mv::vault {

namespace {

using nlohmann::json;

constexpr const char* k_format = "modelvault-manifest-signature";

std::optional<store::Digest> digest_field(const json& document, const char* name) {
    const auto it = document.find(name);
    return it != document.end() && it->is_string() ? store::Digest::from_hex(it->get<std::string>())
                                                   : std::nullopt;
}

} // namespace

std::vector<std::uint8_t> signed_message(const ManifestSignature& record) {
    std::vector<std::uint8_t> message(record.manifest.bytes.begin(), record.manifest.bytes.end());
    message.insert(message.end(), record.text.bytes.begin(), record.text.bytes.end());
    message.insert(message.end(), record.model.begin(), record.model.end());
    message.push_back(0);
    message.insert(message.end(), record.version.begin(), record.version.end());
    return message;
}

ManifestSignature sign_manifest(const crypto::SigningKey& key, const store::Digest& manifest,
                                std::string_view text, std::string model, std::string version) {
    ManifestSignature record;
    record.manifest = manifest;
    record.text = store::Digest::sha256_of(store::as_bytes(text));
    record.model = std::move(model);
    record.version = std::move(version);
    record.key = key.public_key().fingerprint();
    record.signature = key.sign(k_manifest_context, signed_message(record));
    return record;
}

bool signature_verifies(const ManifestSignature& record, const crypto::PublicKey& key) {
    return key.verify(k_manifest_context, signed_message(record), record.signature);
}

std::string signature_text(const ManifestSignature& record) {
    const json document = {{"format", k_format},
                           {"version", 1},
                           {"manifest", record.manifest.hex()},
                           {"manifest_text_sha256", record.text.hex()},
                           {"model", record.model},
                           {"model_version", record.version},
                           {"key", record.key},
                           {"signature", crypto::to_hex(record.signature)}};
    return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<ManifestSignature> parse_signature(std::string_view text) {
    const json document = json::parse(text, nullptr, false);
    if (!document.is_object() || document.value("format", "") != k_format) {
        return failure(
            fmt::format("is not a manifest signature (no \"format\": \"{}\")", k_format));
    }
    if (document.value("version", 0) != 1) {
        return failure("has a signature format version this modelvault does not know");
    }
    ManifestSignature record;
    const auto manifest = digest_field(document, "manifest");
    const auto plain = digest_field(document, "manifest_text_sha256");
    const auto model = document.find("model");
    const auto version = document.find("model_version");
    const auto key = document.find("key");
    const auto signature = document.find("signature");
    if (!manifest || !plain || model == document.end() || !model->is_string() ||
        version == document.end() || !version->is_string() || key == document.end() ||
        !key->is_string() || signature == document.end() || !signature->is_string()) {
        return failure("lacks one of manifest, manifest_text_sha256, model, model_version, key, "
                       "signature");
    }
    const auto raw = crypto::from_hex(signature->get<std::string>());
    if (!raw || raw->size() != crypto::k_signature_size) {
        return failure("has a signature that is not 128 hex digits");
    }
    record.manifest = *manifest;
    record.text = *plain;
    record.model = model->get<std::string>();
    record.version = version->get<std::string>();
    record.key = key->get<std::string>();
    std::copy(raw->begin(), raw->end(), record.signature.begin());
    return record;
}

std::filesystem::path signature_file(const std::filesystem::path& root,
                                     const store::Digest& manifest) {
    return root / "signatures" / (manifest.hex() + ".json");
}

std::string stored_signature_problem(const std::filesystem::path& root, const Manifest& manifest,
                                     const crypto::PublicKey& key) {
    const auto file = signature_file(root, manifest.object);
    auto text = fs::read_file(file, 64u << 10, false);
    if (!text) {
        return fmt::format("has no signature ({}): the manifest may have been replaced; check "
                           "it with `modelvaultctl verify --signatures --public-key FILE`",
                           text.error());
    }
    auto record = parse_signature(*text);
    if (!record) {
        return fmt::format("its signature file {} {}", file.string(), record.error());
    }
    if (record->manifest != manifest.object) {
        return fmt::format("its signature ({}) is for another manifest", file.string());
    }
    if (record->model != manifest.model || record->version != manifest.version.to_string()) {
        return fmt::format("its signature names {} {}: the manifest was swapped", record->model,
                           record->version);
    }
    if (!signature_verifies(*record, key)) {
        return record->key == key.fingerprint()
                   ? "its signature does not match: the manifest or its signature was changed"
                   : fmt::format("its signature was made by key {}, not by this vault's signing "
                                 "key {}",
                                 record->key, key.fingerprint());
    }
    return {};
}

} // namespace mv::vault
