#pragma once
// The keys of an encrypted vault, kept in its keys/ folder (docs/FORMAT.md, "Keys"): the
// key records that wrap the master key (key_ring.hpp) and the vault's signing key
// (keys/signing.json), opened together with one user key.
//
//   keys/signing.json = {"format": "modelvault-signing-key", "version": 1,
//                        "public_key": "<PEM>", "private_key": "<hex of the sealed seed>"}

#include <filesystem>
#include <string>

#include "crypto/key_ring.hpp"
#include "crypto/signing.hpp"
#include "util/expected.hpp"

namespace mv::crypto {

struct VaultKeys {
    MasterKey master;
    std::string record_id; ///< the key record the user key opened
    SigningKey signing;
};

/// Makes a vault's keys: a new master key, a new signing key (keys/signing.json, written
/// first, replacing one a crash left behind), then the first key record for `user`.
/// Fails when `keys_dir` already holds a key record.
Result<VaultKeys> create_vault_keys(const std::filesystem::path& keys_dir,
                                    const std::filesystem::path& tmp, const UserKey& user,
                                    const RecordOrigin& origin);

/// Opens a vault's keys with `user`; each failure names the file and what to do.
Result<VaultKeys> open_vault_keys(const std::filesystem::path& keys_dir,
                                  const std::filesystem::path& tmp, const UserKey& user);

/// The public key of keys/signing.json, readable without any secret (for export and for
/// `key public`).
Result<PublicKey> read_vault_public_key(const std::filesystem::path& keys_dir);

/// Reads a PEM public key file (`verify --public-key FILE`); failures name the file.
Result<PublicKey> read_public_key_file(const std::filesystem::path& file);

} // namespace mv::crypto
