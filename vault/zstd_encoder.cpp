#include "vault/zstd_encoder.hpp"

#include <zstd.h>

#include <fmt/format.h>

#include "util/error.hpp"

namespace mv::vault {

namespace {

constexpr int k_job_size = 2 << 20; // per worker; zstd's minimum is 512 KiB, 2 MiB keeps memory low

void check(std::size_t code, const char* what) {
    if (ZSTD_isError(code) != 0) {
        throw Error(fmt::format("zstd {}: {}", what, ZSTD_getErrorName(code)), ErrorCode::internal);
    }
}

} // namespace

struct ZstdEncoder::State {
    ZSTD_CCtx* context = ZSTD_createCCtx();
    std::unique_ptr<char[]> output{new char[ZSTD_CStreamOutSize()]};
    ~State() { ZSTD_freeCCtx(context); }
};

ZstdEncoder::ZstdEncoder(int level, int threads) : m_state(std::make_unique<State>()) {
    if (m_state->context == nullptr) {
        throw Error("cannot allocate a zstd context (out of memory)", ErrorCode::io);
    }
    check(ZSTD_CCtx_setParameter(m_state->context, ZSTD_c_compressionLevel, level),
          "compression level");
    if (threads > 1) {
        check(ZSTD_CCtx_setParameter(m_state->context, ZSTD_c_nbWorkers, threads), "threads");
        check(ZSTD_CCtx_setParameter(m_state->context, ZSTD_c_jobSize, k_job_size), "job size");
    }
}

ZstdEncoder::~ZstdEncoder() = default;

void ZstdEncoder::write(const void* data, std::size_t size, const ByteSink& sink) {
    ZSTD_inBuffer input{data, size, 0};
    while (input.pos < input.size) {
        ZSTD_outBuffer output{m_state->output.get(), ZSTD_CStreamOutSize(), 0};
        check(ZSTD_compressStream2(m_state->context, &output, &input, ZSTD_e_continue), "compress");
        if (output.pos > 0) {
            sink(m_state->output.get(), output.pos);
        }
    }
}

void ZstdEncoder::finish(const ByteSink& sink) {
    ZSTD_inBuffer input{nullptr, 0, 0};
    std::size_t remaining = 0;
    do {
        ZSTD_outBuffer output{m_state->output.get(), ZSTD_CStreamOutSize(), 0};
        remaining = ZSTD_compressStream2(m_state->context, &output, &input, ZSTD_e_end);
        check(remaining, "finish");
        if (output.pos > 0) {
            sink(m_state->output.get(), output.pos);
        }
    } while (remaining != 0);
}

} // namespace mv::vault
