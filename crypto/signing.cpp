#include "crypto/signing.hpp"

#include <algorithm>
#include <memory>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "crypto/aead.hpp"
#include "crypto/hex.hpp"
#include "crypto/random.hpp"
#include "util/error.hpp"

namespace mv::crypto {

namespace {

struct OpenSslFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree>;
using MdContextPtr = std::unique_ptr<EVP_MD_CTX, OpenSslFree>;
using BioPtr = std::unique_ptr<BIO, OpenSslFree>;

[[noreturn]] void ed25519_failed(const char* step) {
    throw Error(fmt::format("Ed25519: OpenSSL failed to {}", step), ErrorCode::internal);
}

std::string signed_bytes(std::string_view context, std::span<const std::uint8_t> message) {
    static constexpr std::string_view k_domain{"modelvault signature v1\0", 24};
    std::string bytes;
    bytes.reserve(k_domain.size() + context.size() + 1 + message.size());
    bytes.append(k_domain).append(context).push_back('\0');
    bytes.append(reinterpret_cast<const char*>(message.data()), message.size());
    return bytes;
}

PkeyPtr public_pkey(std::span<const std::uint8_t, k_public_key_size> raw) {
    return PkeyPtr(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size()));
}

} // namespace

PublicKey::PublicKey(std::span<const std::uint8_t, k_public_key_size> raw) {
    std::copy(raw.begin(), raw.end(), m_raw.begin());
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    PkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key) {
        return failure("is not a PEM public key (expected \"-----BEGIN PUBLIC KEY-----\", as "
                       "`modelvaultctl key public` writes)");
    }
    if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
        return failure(fmt::format("holds a {} public key, not an Ed25519 one",
                                   EVP_PKEY_get0_type_name(key.get())));
    }
    std::array<std::uint8_t, k_public_key_size> raw{};
    std::size_t length = raw.size();
    if (EVP_PKEY_get_raw_public_key(key.get(), raw.data(), &length) != 1 || length != raw.size()) {
        return failure("holds an Ed25519 public key OpenSSL cannot export");
    }
    return PublicKey(raw);
}

std::string PublicKey::to_pem() const {
    PkeyPtr key = public_pkey(m_raw);
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!key || !bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
        ed25519_failed("write a public key");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string PublicKey::fingerprint() const {
    std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
    SHA256(m_raw.data(), m_raw.size(), digest.data());
    return to_hex(std::span(digest).first(8));
}

bool PublicKey::verify(std::string_view context, std::span<const std::uint8_t> message,
                       std::span<const std::uint8_t> signature) const {
    if (signature.size() != k_signature_size) {
        return false;
    }
    PkeyPtr key = public_pkey(m_raw);
    MdContextPtr md(EVP_MD_CTX_new());
    if (!key || !md || EVP_DigestVerifyInit(md.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
        // A 32-byte string that is not a point on the curve is no key: nothing verifies.
        return false;
    }
    const auto bytes = signed_bytes(context, message);
    return EVP_DigestVerify(md.get(), signature.data(), signature.size(),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size()) == 1;
}

SigningKey SigningKey::generate() {
    return SigningKey(random_key());
}

namespace {

PkeyPtr private_pkey(const Key& seed) {
    PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.bytes().data(),
                                             seed.bytes().size()));
    if (!key) {
        ed25519_failed("load a private key");
    }
    return key;
}

PublicKey public_of(const Key& seed) {
    PkeyPtr key = private_pkey(seed);
    std::array<std::uint8_t, k_public_key_size> raw{};
    std::size_t length = raw.size();
    if (EVP_PKEY_get_raw_public_key(key.get(), raw.data(), &length) != 1) {
        ed25519_failed("derive a public key");
    }
    return PublicKey(raw);
}

} // namespace

SigningKey::SigningKey(const Key& seed) : m_seed(seed), m_public(public_of(seed)) {}

Signature SigningKey::sign(std::string_view context, std::span<const std::uint8_t> message) const {
    PkeyPtr key = private_pkey(m_seed);
    MdContextPtr md(EVP_MD_CTX_new());
    const auto bytes = signed_bytes(context, message);
    Signature signature{};
    std::size_t length = signature.size();
    if (!md || EVP_DigestSignInit(md.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
        EVP_DigestSign(md.get(), signature.data(), &length,
                       reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) != 1 ||
        length != signature.size()) {
        ed25519_failed("sign");
    }
    return signature;
}

std::vector<std::uint8_t> SigningKey::seal(const MasterKey& master) const {
    return crypto::seal(master.data_key(), m_seed.bytes(),
                        associated_data(Role::signing_key, m_public.raw()));
}

Result<SigningKey> SigningKey::open(const MasterKey& master, std::span<const std::uint8_t> sealed,
                                    const PublicKey& expected) {
    auto seed =
        crypto::open(master.data_key(), sealed, associated_data(Role::signing_key, expected.raw()));
    if (!seed) {
        return failure(seed.error());
    }
    if (seed->size() != k_key_size) {
        return failure(
            fmt::format("holds {} bytes, an Ed25519 seed has {}", seed->size(), k_key_size));
    }
    SigningKey key{Key(std::span<const std::uint8_t, k_key_size>(seed->data(), k_key_size))};
    OPENSSL_cleanse(seed->data(), seed->size());
    if (!(key.public_key() == expected)) {
        return failure("does not match its public key");
    }
    return key;
}

} // namespace mv::crypto
