#include "crypto/random.hpp"

#include <climits>

#include <openssl/rand.h>

#include "util/error.hpp"

namespace mv::crypto {

void fill_random(std::span<std::uint8_t> out) {
    if (out.size() > INT_MAX || RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
        throw Error("the random generator failed (RAND_bytes): no key or nonce can be made; "
                    "check that the kernel's getrandom(2) works",
                    ErrorCode::internal);
    }
}

std::vector<std::uint8_t> random_bytes(std::size_t size) {
    std::vector<std::uint8_t> bytes(size);
    fill_random(bytes);
    return bytes;
}

Key random_key() {
    Key key;
    fill_random(key.mutable_bytes());
    return key;
}

} // namespace mv::crypto
