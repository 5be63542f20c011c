#include "crypto/master_key.hpp"

#include "crypto/kdf.hpp"
#include "crypto/random.hpp"

namespace mv::crypto {

MasterKey MasterKey::generate() {
    return MasterKey(random_key());
}

// The info strings are part of the format (docs/FORMAT.md, "Keys"): never change them.
MasterKey::MasterKey(const Key& raw)
    : m_raw(raw), m_data_key(hkdf_sha256(raw.bytes(), {}, "modelvault data key v1")),
      m_name_key(hkdf_sha256(raw.bytes(), {}, "modelvault chunk name key v1")) {}

} // namespace mv::crypto
