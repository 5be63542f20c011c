#pragma once
// The vault's master key and the keys derived from it (docs/FORMAT.md, "Keys"). The
// master key is 32 random bytes made once per vault; user key files only wrap it
// (key_record.hpp), so adding or removing a user key re-encrypts no data. Each purpose
// gets its own key through HKDF-SHA256, so that no key is used for two algorithms.

#include "crypto/secret.hpp"

namespace mv::crypto {

class MasterKey {
public:
    /// A new vault's master key, fresh from the random generator.
    static MasterKey generate();
    /// The master key whose bytes are `raw` (unwrapped from a key record).
    explicit MasterKey(const Key& raw);

    const Key& raw() const { return m_raw; }
    /// AES-256-GCM key of every sealed object: chunks, pack headers, indexes, manifests,
    /// the signing key.
    const Key& data_key() const { return m_data_key; }
    /// HMAC-SHA256 key of chunk names.
    const Key& name_key() const { return m_name_key; }

private:
    Key m_raw;
    Key m_data_key;
    Key m_name_key;
};

} // namespace mv::crypto
