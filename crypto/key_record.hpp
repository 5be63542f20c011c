#pragma once
// A key record: the vault's master key wrapped by one user key, as restic's key files
// (docs/FORMAT.md, "Keys"). Pure: JSON text in and out, no files.
//
//   {"format": "modelvault-key", "version": 1, "id": "<16 hex>", "created": "<ISO 8601>",
//    "host": "...", "origin": "<the key file's path when added>", "kind": "key file",
//    "kdf": {"name": "hkdf-sha256", "salt": "<64 hex>"},
//    "master_key": "<hex of nonce ‖ AES-256-GCM(KEK, master key) ‖ tag>"}
//
// A passphrase record has "kind": "passphrase file" and
// "kdf": {"name": "scrypt", "n": 65536, "r": 8, "p": 1, "salt": "<64 hex>"}.
// The wrapping binds the record id (Role::key_record), so a wrapped key copied into
// another record does not open.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/kdf.hpp"
#include "crypto/key_file.hpp"
#include "crypto/master_key.hpp"
#include "util/expected.hpp"

namespace mv::crypto {

/// Where and when a record is made (the caller's clock and host name).
struct RecordOrigin {
    std::string created; ///< ISO 8601 UTC
    std::string host;
    ScryptParams scrypt; ///< cost for a passphrase record
};

struct KeyRecord {
    std::string id; ///< 16 lowercase hex digits, also the file name
    std::string created;
    std::string host;
    std::string origin; ///< the user key's file when the record was made
    UserKeyKind kind = UserKeyKind::random;
    ScryptParams scrypt; ///< kind passphrase only
    std::vector<std::uint8_t> salt;
    std::vector<std::uint8_t> wrapped; ///< nonce ‖ ciphertext ‖ tag of the master key
};

/// 16 random hex digits.
std::string new_record_id();

/// True for 16 lowercase hex digits.
bool is_record_id(std::string_view text);

std::string encode_key_record(const KeyRecord& record);

/// Parses and checks a record (every field present and well-formed, scrypt cost within
/// check_scrypt_params); the failure names the field.
Result<KeyRecord> parse_key_record(std::string_view text);

/// A new record `id` wrapping `master` for `user`, with a fresh salt. Fails only when the
/// key cannot be derived (scrypt refused the cost or found no memory).
Result<KeyRecord> wrap_master_key(const MasterKey& master, const UserKey& user, std::string id,
                                  const RecordOrigin& origin);

/// The master key `record` wraps, when `user` is its key; nullopt when it is not (wrong
/// key, other kind, or the record was changed — indistinguishable by design). Fails
/// only when the key cannot be derived (scrypt out of memory).
Result<std::optional<MasterKey>> unwrap_master_key(const KeyRecord& record, const UserKey& user);

} // namespace mv::crypto
