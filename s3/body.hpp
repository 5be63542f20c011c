#pragma once
// What a PUT sends: bytes in memory or a range of an open file, and the two digests
// every upload carries so that the server checks what it received (SigV4's
// x-amz-content-sha256, which RGW and AWS verify, and Content-MD5, which every
// S3-compatible service verifies; docs/CONFIG.md, "replicas").

#include <cstdint>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace mv::s3 {

/// A request body: `data` when `fd` < 0, else `length` bytes of `fd` from `offset`
/// (read with pread, so several bodies may share one descriptor).
struct Body {
    std::string_view data;
    int fd = -1;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;

    std::uint64_t size() const { return fd < 0 ? data.size() : length; }
};

/// A body of bytes in memory (which must outlive the request).
inline Body memory_body(std::string_view data) {
    return Body{data, -1, 0, 0};
}
/// `length` bytes of the file open as `fd`, from `offset`.
inline Body file_body(int fd, std::uint64_t offset, std::uint64_t length) {
    return Body{{}, fd, offset, length};
}

struct BodyDigests {
    std::string sha256_hex; ///< lowercase hex, for x-amz-content-sha256
    std::string md5_base64; ///< for Content-MD5
};

/// Both digests of `body` in one pass (OpenSSL EVP). Fails when the file is shorter
/// than the range or cannot be read.
Result<BodyDigests> digest(const Body& body);

/// Copies up to `size` bytes of `body` from `position` (relative to the body) into
/// `buffer`; returns how many (0 at the end), or the error when the file cannot be read
/// or ended early.
Result<std::size_t> read_body(const Body& body, std::uint64_t position, char* buffer,
                              std::size_t size);

} // namespace mv::s3
