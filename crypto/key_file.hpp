#pragma once
// User key files: what `encryption.key_file` and `modelvaultctl key add` name
// (docs/CONFIG.md, "encryption"). A key file holds either a random key — 32 raw bytes, or
// 64 hex digits with an optional newline, as `modelvaultctl key init` writes — or a
// passphrase (any other text up to 1024 bytes; one trailing newline is not part of it),
// which is stretched with scrypt. 32 raw bytes count as a key only when at least one is
// not printable ASCII: a 32-character passphrase stays a passphrase.

#include <filesystem>
#include <string>
#include <vector>

#include "crypto/secret.hpp"
#include "util/expected.hpp"

namespace mv::crypto {

enum class UserKeyKind { random, passphrase };

/// "key file" or "passphrase file", for messages and `key list`.
const char* to_string(UserKeyKind kind);

/// A key file's secret, as read. The passphrase is wiped on destruction.
struct UserKey {
    UserKeyKind kind = UserKeyKind::random;
    Key random;             ///< kind random: the 32 bytes
    std::string passphrase; ///< kind passphrase: the text
    std::filesystem::path file;
    /// Things the owner should fix that do not stop the key from working (permissions).
    std::vector<std::string> warnings;

    UserKey() = default;
    UserKey(UserKey&&) = default;
    UserKey& operator=(UserKey&&) = default;
    ~UserKey() { wipe(passphrase); }
};

/// Classifies the content of a key file (pure). Fails for an empty file or one too long
/// to be a passphrase; `file` only names it in the message.
Result<UserKey> parse_user_key(std::string content, const std::filesystem::path& file);

/// Reads and classifies `file`. Each failure names the file and what to do: missing
/// (make one with `key init`), unreadable (permissions), not a regular file, empty, too
/// long. A file that others than its owner may read or write is accepted with a warning
/// (chmod 0400).
Result<UserKey> read_user_key(const std::filesystem::path& file);

/// Creates `file` with mode 0400 holding 64 hex digits of fresh randomness and a
/// newline; durable (fsync, then linked into place, then the folder fsynced) and never
/// replacing an existing file: a crash leaves either no file or the whole key.
Result<void> create_key_file(const std::filesystem::path& file);

} // namespace mv::crypto
