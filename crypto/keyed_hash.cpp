#include "crypto/keyed_hash.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "util/error.hpp"

namespace mv::crypto {

// Not in the anonymous namespace: KeyedHash::State (a named type) holds it.
struct MacFree {
    void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
    void operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }
};

namespace {

[[noreturn]] void hmac_failed() {
    throw Error("HMAC-SHA256: OpenSSL failed", ErrorCode::internal);
}

} // namespace

// A context keyed once; every call duplicates it (cheaper than re-keying, and the
// original is never written after construction, so calls may run on any thread).
struct KeyedHash::State {
    std::unique_ptr<EVP_MAC, MacFree> mac;
    std::unique_ptr<EVP_MAC_CTX, MacFree> keyed;
};

KeyedHash::KeyedHash(const Key& key) : m_state(std::make_unique<State>()) {
    m_state->mac.reset(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    if (!m_state->mac) {
        hmac_failed();
    }
    m_state->keyed.reset(EVP_MAC_CTX_new(m_state->mac.get()));
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (!m_state->keyed ||
        EVP_MAC_init(m_state->keyed.get(), key.bytes().data(), key.bytes().size(), params) != 1) {
        hmac_failed();
    }
}

KeyedHash::~KeyedHash() = default;

Mac KeyedHash::operator()(std::span<const std::uint8_t> data) const {
    std::unique_ptr<EVP_MAC_CTX, MacFree> context(EVP_MAC_CTX_dup(m_state->keyed.get()));
    Mac mac{};
    std::size_t length = 0;
    if (!context || EVP_MAC_update(context.get(), data.data(), data.size()) != 1 ||
        EVP_MAC_final(context.get(), mac.data(), &length, mac.size()) != 1 ||
        length != mac.size()) {
        hmac_failed();
    }
    return mac;
}

} // namespace mv::crypto
