#include "store/digest.hpp"

#include <cstring>

#include "store/sha256.hpp"

namespace mv::store {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

} // namespace

std::string Digest::hex() const {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string text;
    text.reserve(64);
    for (const std::uint8_t byte : bytes) {
        text += k_hex[byte >> 4];
        text += k_hex[byte & 0xf];
    }
    return text;
}

std::string Digest::short_hex() const {
    return hex().substr(0, 12) + "…";
}

std::optional<Digest> Digest::from_hex(std::string_view text) {
    if (text.size() != 64) {
        return std::nullopt;
    }
    Digest digest;
    for (std::size_t i = 0; i < 32; ++i) {
        const int high = hex_value(text[2 * i]);
        const int low = hex_value(text[2 * i + 1]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        digest.bytes[i] = static_cast<std::uint8_t>(high * 16 + low);
    }
    return digest;
}

Digest Digest::sha256_of(std::span<const std::uint8_t> data) {
    Sha256 sha;
    sha.update(data.data(), data.size());
    return Digest{sha.digest()};
}

std::size_t DigestHash::operator()(const Digest& digest) const noexcept {
    std::size_t value = 0;
    std::memcpy(&value, digest.bytes.data(), sizeof value);
    return value;
}

ChunkId Sha256Namer::name(std::span<const std::uint8_t> data) const {
    return Digest::sha256_of(data);
}

} // namespace mv::store
