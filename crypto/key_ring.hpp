#pragma once
// The key records of one vault, one file each in a folder (VAULT/keys/<id>.json, as
// restic's keys/): open the vault with any one user key, add and remove user keys
// without touching the data they protect. docs/FORMAT.md, "Keys".
//
// Every change is one atomic file operation: adding writes a new record (tmp, fsync,
// rename, fsync the folder); removing unlinks one. A crash during either leaves the
// records as they were or as they are meant to be, and every old key still opens the
// vault until its own record is removed.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/key_record.hpp"
#include "util/expected.hpp"

namespace mv::crypto {

/// The master key and the record it was unwrapped from.
struct Unlocked {
    MasterKey master;
    std::string record_id;
};

/// A vault's records as listed: those that parse, and a sentence for each that does not.
struct KeyListing {
    std::vector<KeyRecord> records; ///< ordered by creation time, then id
    std::vector<std::string> damaged;
};

class KeyRing {
public:
    /// The records in `dir`; `tmp` is a folder on the same file system for writes in
    /// progress (the vault's tmp/).
    KeyRing(std::filesystem::path dir, std::filesystem::path tmp);

    /// Writes the first record of a vault: `master` (a new master key) wrapped by `user`;
    /// returns the record's id. Fails when `dir` already holds a record (a vault has one
    /// master key).
    Result<std::string> create(const MasterKey& master, const UserKey& user,
                               const RecordOrigin& origin) const;

    /// Tries `user` on every record. Fails naming the key file and the folder when no
    /// record exists or none opens, and says what to do.
    Result<Unlocked> unlock(const UserKey& user) const;

    /// Wraps `master` for `user` in a new record; returns its id. Refuses a user key that
    /// already opens a record (naming it).
    Result<std::string> add(const MasterKey& master, const UserKey& user,
                            const RecordOrigin& origin) const;

    /// Removes the record whose id is or starts with `id` (at least 4 digits, unique).
    /// Refuses the last record and `in_use` (the key the vault is open with). Returns the
    /// full id removed.
    Result<std::string> remove(std::string_view id, std::string_view in_use) const;

    /// Every record; readable without any key (ids, times and origins are not secret).
    Result<KeyListing> list() const;

    const std::filesystem::path& dir() const { return m_dir; }

private:
    std::filesystem::path record_path(std::string_view id) const;

    std::filesystem::path m_dir;
    std::filesystem::path m_tmp;
};

} // namespace mv::crypto
