#include "store/sha256.hpp"

#include <openssl/evp.h>

#include "util/error.hpp"

namespace mv::store {

struct Sha256::Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : m_context(std::make_unique<Context>()) {
    if (m_context->ctx == nullptr) {
        throw Error("cannot allocate an OpenSSL digest context (out of memory)");
    }
    reset();
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::reset() {
    if (EVP_DigestInit_ex(m_context->ctx, EVP_sha256(), nullptr) != 1) {
        throw Error("OpenSSL refused to initialise SHA-256");
    }
}

void Sha256::update(const void* data, std::size_t size) {
    if (size > 0 && EVP_DigestUpdate(m_context->ctx, data, size) != 1) {
        throw Error("OpenSSL SHA-256 update failed");
    }
}

std::array<std::uint8_t, 32> Sha256::digest() {
    std::array<std::uint8_t, 32> bytes{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(m_context->ctx, bytes.data(), &length) != 1 || length != bytes.size()) {
        throw Error("OpenSSL SHA-256 finalisation failed");
    }
    reset();
    return bytes;
}

std::string Sha256::hex_digest() {
    static constexpr char k_hex[] = "0123456789abcdef";
    const auto bytes = digest();
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (const std::uint8_t byte : bytes) {
        hex += k_hex[byte >> 4];
        hex += k_hex[byte & 0xf];
    }
    return hex;
}

std::string sha256_hex(std::string_view data) {
    Sha256 sha;
    sha.update(data);
    return sha.hex_digest();
}

bool is_sha256_hex(std::string_view text) {
    if (text.size() != 64) {
        return false;
    }
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

} // namespace mv::store
