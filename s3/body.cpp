#include "s3/body.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <openssl/evp.h>

namespace mv::s3 {

namespace {

constexpr std::size_t k_digest_buffer = 1u << 20;

struct MdFree {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using MdContext = std::unique_ptr<EVP_MD_CTX, MdFree>;

MdContext start(const EVP_MD* algorithm) {
    MdContext context(EVP_MD_CTX_new());
    if (!context || EVP_DigestInit_ex(context.get(), algorithm, nullptr) != 1) {
        throw Error("OpenSSL could not start a digest", ErrorCode::internal);
    }
    return context;
}

std::string finish(EVP_MD_CTX* context, unsigned* size, unsigned char* out) {
    EVP_DigestFinal_ex(context, out, size);
    return {reinterpret_cast<const char*>(out), *size};
}

std::string to_hex(std::string_view bytes) {
    std::string hex;
    for (const unsigned char c : bytes) {
        hex += fmt::format("{:02x}", c);
    }
    return hex;
}

std::string to_base64(std::string_view bytes) {
    std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()),
                                     static_cast<int>(bytes.size()));
    text.resize(static_cast<std::size_t>(size));
    return text;
}

} // namespace

Result<std::size_t> read_body(const Body& body, std::uint64_t position, char* buffer,
                              std::size_t size) {
    if (position >= body.size()) {
        return std::size_t{0};
    }
    const std::size_t wanted =
        static_cast<std::size_t>(std::min<std::uint64_t>(size, body.size() - position));
    if (body.fd < 0) {
        std::memcpy(buffer, body.data.data() + position, wanted);
        return wanted;
    }
    for (;;) {
        const ssize_t got =
            ::pread(body.fd, buffer, wanted, static_cast<off_t>(body.offset + position));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            return failure(errno_message("cannot read the file being uploaded", errno));
        }
        if (got == 0) {
            return failure("the file being uploaded became shorter while it was read");
        }
        return static_cast<std::size_t>(got);
    }
}

Result<BodyDigests> digest(const Body& body) {
    MdContext sha256 = start(EVP_sha256());
    MdContext md5 = start(EVP_md5());
    std::vector<char> buffer(std::min<std::uint64_t>(k_digest_buffer, body.size() + 1));
    for (std::uint64_t position = 0; position < body.size();) {
        auto got = read_body(body, position, buffer.data(), buffer.size());
        if (!got) {
            return failure(got.error());
        }
        EVP_DigestUpdate(sha256.get(), buffer.data(), *got);
        EVP_DigestUpdate(md5.get(), buffer.data(), *got);
        position += *got;
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    BodyDigests digests;
    digests.sha256_hex = to_hex(finish(sha256.get(), &size, out));
    digests.md5_base64 = to_base64(finish(md5.get(), &size, out));
    return digests;
}

} // namespace mv::s3
