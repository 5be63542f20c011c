#include "store/digest.hpp"

#include <array>
#include <cstring>

#include "store/sha256.hpp"

namespace mv::store {

namespace {

// A table, not comparisons: a vault's open decodes a hex name for every chunk reference of
// every manifest (a million and more).
constexpr std::array<std::int8_t, 256> k_hex_values = [] {
    std::array<std::int8_t, 256> values{};
    values.fill(-1);
    for (int c = '0'; c <= '9'; ++c) {
        values[c] = static_cast<std::int8_t>(c - '0');
    }
    for (int c = 'a'; c <= 'f'; ++c) {
        values[c] = static_cast<std::int8_t>(c - 'a' + 10);
    }
    return values;
}();

int hex_value(char c) {
    return k_hex_values[static_cast<unsigned char>(c)];
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
    int invalid = 0; // negative once any character is not lowercase hex
    for (std::size_t i = 0; i < 32; ++i) {
        const int high = hex_value(text[2 * i]);
        const int low = hex_value(text[2 * i + 1]);
        invalid |= high | low;
        digest.bytes[i] = static_cast<std::uint8_t>((static_cast<unsigned>(high) << 4) |
                                                    static_cast<unsigned>(low));
    }
    if (invalid < 0) {
        return std::nullopt;
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
