#include "notify/signature.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/error.hpp"

namespace mv::notify {

std::string sign_body(std::string_view secret, std::string_view body) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    const unsigned char* done =
        ::HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
               reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
    if (done == nullptr) {
        throw Error("HMAC-SHA256 failed (OpenSSL)", ErrorCode::internal);
    }
    std::string text = "sha256=";
    for (unsigned int i = 0; i < length; ++i) {
        text += fmt::format("{:02x}", digest[i]);
    }
    return text;
}

} // namespace mv::notify
