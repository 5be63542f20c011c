#pragma once
// Streaming SHA-256 through OpenSSL's EVP interface (which uses the CPU's SHA
// instructions where present; ARCHITECTURE.md: never a hand-written one).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace mv::store {

/// Incremental SHA-256. Not copyable; reset() to reuse.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;

    void update(const void* data, std::size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    /// The digest as 64 lowercase hex characters; the object is reset afterwards.
    std::string hex_digest();
    /// The 32 digest bytes; the object is reset afterwards.
    std::array<std::uint8_t, 32> digest();
    void reset();

private:
    struct Context;
    std::unique_ptr<Context> m_context;
};

/// SHA-256 of `data` as lowercase hex.
std::string sha256_hex(std::string_view data);

/// True when `text` looks like a SHA-256 hex digest (64 lowercase hex characters).
bool is_sha256_hex(std::string_view text);

} // namespace mv::store
