#pragma once
// The unit in which the vault streams file and archive data: large enough for the
// kernel's read-ahead and zstd's input blocks, small enough that memory does not grow
// with model size.

#include <cstddef>

namespace mv::vault {

inline constexpr std::size_t k_io_chunk = 1u << 20;

} // namespace mv::vault
