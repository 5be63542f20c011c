#include "crypto/secret.hpp"

#include <algorithm>

#include <openssl/crypto.h>

namespace mv::crypto {

Key::Key(std::span<const std::uint8_t, k_key_size> bytes) {
    std::copy(bytes.begin(), bytes.end(), m_bytes.begin());
}

Key::~Key() {
    OPENSSL_cleanse(m_bytes.data(), m_bytes.size());
}

bool Key::operator==(const Key& other) const {
    return CRYPTO_memcmp(m_bytes.data(), other.m_bytes.data(), m_bytes.size()) == 0;
}

void wipe(std::string& text) {
    if (!text.empty()) {
        OPENSSL_cleanse(text.data(), text.size());
    }
    text.clear();
}

} // namespace mv::crypto
