#pragma once
// zstd compression with bounded memory. libarchive's zstd filter cannot set zstd's job
// size, and with several threads zstd then uses 8 MiB jobs per worker (about 100 MiB for
// two): this encoder drives libzstd directly with 2 MiB jobs, so memory stays small
// whatever the model's size (docs/FORMAT.md). The output is an ordinary zstd frame.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace mv::vault {

/// Receives compressed bytes as they are produced.
using ByteSink = std::function<void(const char* data, std::size_t size)>;

class ZstdEncoder {
public:
    /// `threads` ≤ 1 compresses on the calling thread. Throws Error(internal) when libzstd
    /// refuses a parameter.
    ZstdEncoder(int level, int threads);
    ~ZstdEncoder();
    ZstdEncoder(const ZstdEncoder&) = delete;
    ZstdEncoder& operator=(const ZstdEncoder&) = delete;

    /// Compresses `size` bytes, passing finished output to `sink`.
    void write(const void* data, std::size_t size, const ByteSink& sink);
    /// Flushes everything and ends the frame.
    void finish(const ByteSink& sink);

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace mv::vault
