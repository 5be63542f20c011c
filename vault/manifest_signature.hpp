#pragma once
// Signed versions (docs/FORMAT.md, "Signatures"): an encrypted vault signs every manifest
// file it writes with its Ed25519 key and keeps the signature in
// signatures/<manifest id>.json. The signature covers the manifest file's stored (sealed)
// bytes and the manifest's plain text, so whoever holds only the public key can check a
// version where it lies in the vault (without decrypting it) and in an exported archive
// (whose manifest.json is the plain text), and can neither read nor forge one.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/signing.hpp"
#include "store/digest.hpp"
#include "util/expected.hpp"
#include "vault/manifest.hpp"

namespace mv::vault {

/// What signatures/<manifest id>.json holds.
struct ManifestSignature {
    store::Digest manifest; ///< the manifest file's name: the SHA-256 of its stored bytes
    store::Digest text;     ///< the SHA-256 of the manifest's plain text
    std::string model;      ///< text form, as in the manifest
    std::string version;    ///< "1.0.1"
    std::string key;        ///< fingerprint of the public key that made it (for messages)
    crypto::Signature signature{};
};

/// The signature context of manifests (crypto/signing.hpp frames it).
inline constexpr std::string_view k_manifest_context = "manifest";

/// The bytes signed: manifest[32] ‖ text[32] ‖ model ‖ 0x00 ‖ version.
std::vector<std::uint8_t> signed_message(const ManifestSignature& record);

/// Signs the manifest whose stored bytes hash to `manifest` and whose plain text is `text`.
ManifestSignature sign_manifest(const crypto::SigningKey& key, const store::Digest& manifest,
                                std::string_view text, std::string model, std::string version);

/// True when `record` was made by the private half of `key`.
bool signature_verifies(const ManifestSignature& record, const crypto::PublicKey& key);

/// The JSON text of a record (one object and a newline), and back; the failure says what
/// is wrong with the text.
std::string signature_text(const ManifestSignature& record);
Result<ManifestSignature> parse_signature(std::string_view text);

/// VAULT/signatures/<hex of manifest>.json
std::filesystem::path signature_file(const std::filesystem::path& root,
                                     const store::Digest& manifest);

/// Why the vault at `root` does not vouch for `manifest` with its own signing key (missing,
/// unreadable, made for another manifest or version, or by another key); empty when the
/// signature verifies. `verify` reports it as a problem of the version.
std::string stored_signature_problem(const std::filesystem::path& root, const Manifest& manifest,
                                     const crypto::PublicKey& key);

/// The name of the signature in a version's tar stream (after manifest.json).
inline constexpr std::string_view k_signature_member = "signature.json";

} // namespace mv::vault
