#include "crypto/kdf.hpp"

#include <memory>

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "util/error.hpp"

namespace mv::crypto {

namespace {

constexpr std::uint64_t k_scrypt_max_memory = std::uint64_t{1} << 30;

struct KdfFree {
    void operator()(EVP_KDF* kdf) const { EVP_KDF_free(kdf); }
    void operator()(EVP_KDF_CTX* context) const { EVP_KDF_CTX_free(context); }
};

// Runs the EVP_KDF `name` with `params` into a new key; false when OpenSSL refuses.
bool derive(const char* name, const OSSL_PARAM* params, Key& out) {
    std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, name, nullptr));
    if (!kdf) {
        return false;
    }
    std::unique_ptr<EVP_KDF_CTX, KdfFree> context(EVP_KDF_CTX_new(kdf.get()));
    return context && EVP_KDF_derive(context.get(), out.mutable_bytes().data(),
                                     out.mutable_bytes().size(), params) == 1;
}

// OSSL_PARAM takes non-const buffers for octet strings it only reads.
void* readable(const void* data) {
    return const_cast<void*>(data);
}

} // namespace

Key hkdf_sha256(std::span<const std::uint8_t> input, std::span<const std::uint8_t> salt,
                std::string_view info) {
    char digest[] = "SHA256";
    // An empty salt is left out: OpenSSL refuses an empty octet string, and RFC 5869 §2.2
    // defines a missing salt as zeros, which it then uses.
    OSSL_PARAM params[5];
    std::size_t count = 0;
    params[count++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[count++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, readable(input.data()), input.size());
    if (!salt.empty()) {
        params[count++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                            readable(salt.data()), salt.size());
    }
    params[count++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, readable(info.data()), info.size());
    params[count] = OSSL_PARAM_construct_end();
    Key key;
    if (!derive("HKDF", params, key)) {
        throw Error("HKDF-SHA256: OpenSSL failed to derive a key", ErrorCode::internal);
    }
    return key;
}

Result<void> check_scrypt_params(const ScryptParams& params) {
    const bool power_of_two = params.n != 0 && (params.n & (params.n - 1)) == 0;
    if (!power_of_two || params.n < (1u << 10) || params.n > (1u << 22)) {
        return failure(
            fmt::format("scrypt N = {} is not a power of two from 1024 to 4194304", params.n));
    }
    if (params.r < 1 || params.r > 32) {
        return failure(fmt::format("scrypt r = {} is not from 1 to 32", params.r));
    }
    if (params.p < 1 || params.p > 16) {
        return failure(fmt::format("scrypt p = {} is not from 1 to 16", params.p));
    }
    if (128 * params.n * params.r > k_scrypt_max_memory) {
        return failure(fmt::format("scrypt N = {}, r = {} would need {} MiB (at most 1024)",
                                   params.n, params.r, (128 * params.n * params.r) >> 20));
    }
    return {};
}

Result<Key> scrypt(std::string_view passphrase, std::span<const std::uint8_t> salt,
                   const ScryptParams& params) {
    if (auto valid = check_scrypt_params(params); !valid) {
        return failure(valid.error());
    }
    std::uint64_t n = params.n;
    std::uint32_t r = params.r;
    std::uint32_t p = params.p;
    // maxmem must cover scrypt's own buffers on top of 128·N·r.
    std::uint64_t max_memory = k_scrypt_max_memory + (std::uint64_t{64} << 20);
    const OSSL_PARAM ossl_params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, readable(passphrase.data()),
                                          passphrase.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, readable(salt.data()), salt.size()),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &max_memory),
        OSSL_PARAM_construct_end()};
    Key key;
    if (!derive("SCRYPT", ossl_params, key)) {
        return failure(fmt::format("scrypt (N = {}, r = {}, p = {}) failed: out of memory?",
                                   params.n, params.r, params.p));
    }
    return key;
}

} // namespace mv::crypto
