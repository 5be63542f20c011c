#include "crypto/aead.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <memory>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/random.hpp"
#include "util/error.hpp"

namespace mv::crypto {

namespace {

struct CipherContextFree {
    void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree>;

[[noreturn]] void openssl_failed(const char* step) {
    throw Error(fmt::format("AES-256-GCM: OpenSSL failed in {}", step), ErrorCode::internal);
}

int checked_length(std::size_t size) {
    if (size > static_cast<std::size_t>(INT_MAX)) {
        throw Error(fmt::format("AES-256-GCM: an object of {} bytes is too large to seal", size),
                    ErrorCode::internal);
    }
    return static_cast<int>(size);
}

// A context keyed for `encrypt` (1) or decrypt (0) with `nonce`, `associated` fed in.
CipherContext start(const Key& key, const std::uint8_t* nonce,
                    std::span<const std::uint8_t> associated, int encrypt) {
    CipherContext context(EVP_CIPHER_CTX_new());
    int ignored = 0;
    if (!context ||
        EVP_CipherInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key.bytes().data(), nonce,
                          encrypt) != 1 ||
        (!associated.empty() &&
         EVP_CipherUpdate(context.get(), nullptr, &ignored, associated.data(),
                          checked_length(associated.size())) != 1)) {
        openssl_failed("initialisation");
    }
    return context;
}

} // namespace

std::string_view to_string(Role role) {
    switch (role) {
    case Role::chunk:
        return "chunk";
    case Role::pack_header:
        return "pack header";
    case Role::index:
        return "index";
    case Role::manifest:
        return "manifest";
    case Role::signing_key:
        return "signing key";
    case Role::key_record:
        return "key record";
    }
    return "object";
}

std::vector<std::uint8_t> associated_data(Role role, std::span<const std::uint8_t> identity) {
    static constexpr std::string_view k_domain{"modelvault\0", 11};
    // Sized once and filled with memcpy: GCC 12 reports false overflows in chained inserts.
    std::vector<std::uint8_t> data(k_domain.size() + 1 + identity.size());
    std::memcpy(data.data(), k_domain.data(), k_domain.size());
    data[k_domain.size()] = static_cast<std::uint8_t>(role);
    if (!identity.empty()) {
        std::memcpy(data.data() + k_domain.size() + 1, identity.data(), identity.size());
    }
    return data;
}

void seal_append(const Key& key, std::span<const std::uint8_t> plaintext,
                 std::span<const std::uint8_t> associated, std::vector<std::uint8_t>& out) {
    const std::size_t start_size = out.size();
    out.resize(start_size + plaintext.size() + k_seal_overhead);
    std::uint8_t* nonce = out.data() + start_size;
    fill_random({nonce, k_nonce_size});
    auto context = start(key, nonce, associated, 1);
    std::uint8_t* cipher = nonce + k_nonce_size;
    int written = 0;
    int final_written = 0;
    if ((!plaintext.empty() && EVP_EncryptUpdate(context.get(), cipher, &written, plaintext.data(),
                                                 checked_length(plaintext.size())) != 1) ||
        EVP_EncryptFinal_ex(context.get(), cipher + written, &final_written) != 1 ||
        static_cast<std::size_t>(written + final_written) != plaintext.size() ||
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(k_tag_size),
                            cipher + plaintext.size()) != 1) {
        openssl_failed("encryption");
    }
}

std::vector<std::uint8_t> seal(const Key& key, std::span<const std::uint8_t> plaintext,
                               std::span<const std::uint8_t> associated) {
    std::vector<std::uint8_t> sealed;
    seal_append(key, plaintext, associated, sealed);
    return sealed;
}

Result<std::vector<std::uint8_t>> open(const Key& key, std::span<const std::uint8_t> sealed,
                                       std::span<const std::uint8_t> associated) {
    if (sealed.size() < k_seal_overhead) {
        return failure(fmt::format("is truncated: {} bytes, a sealed object has at least {}",
                                   sealed.size(), k_seal_overhead));
    }
    const std::size_t length = sealed.size() - k_seal_overhead;
    auto context = start(key, sealed.data(), associated, 0);
    std::vector<std::uint8_t> plain(length);
    const std::uint8_t* cipher = sealed.data() + k_nonce_size;
    // OpenSSL takes the expected tag through a non-const pointer; it only reads it.
    std::array<std::uint8_t, k_tag_size> tag{};
    std::copy_n(cipher + length, k_tag_size, tag.begin());
    int written = 0;
    int final_written = 0;
    if ((length > 0 && EVP_DecryptUpdate(context.get(), plain.data(), &written, cipher,
                                         checked_length(length)) != 1) ||
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(k_tag_size),
                            tag.data()) != 1) {
        openssl_failed("decryption");
    }
    if (EVP_DecryptFinal_ex(context.get(), plain.data() + written, &final_written) != 1) {
        OPENSSL_cleanse(plain.data(), plain.size());
        return failure("does not authenticate (AES-256-GCM tag mismatch): it was changed, "
                       "truncated or moved, or the key is not this vault's");
    }
    return plain;
}

} // namespace mv::crypto
