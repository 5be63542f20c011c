#pragma once
// SHA-256 lives in store/ (the lowest layer that hashes); the vault uses the same one.

#include "store/sha256.hpp"

namespace mv::vault {

using store::is_sha256_hex;
using store::Sha256;
using store::sha256_hex;

} // namespace mv::vault
