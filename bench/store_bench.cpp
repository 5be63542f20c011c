// Codec and chunker throughput on model-like data (one core, in memory):
//   mv_store_bench [SIZE_MIB]        default 256
// Prints MiB/s and stored/raw ratios for float32 and bfloat16 weights drawn from
// N(0, 0.02): the Gear chunker, SHA-256, byte grouping alone, planes vs plain zstd -3
// (encode and decode), and the automatic codec choice on data of unknown type.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "store/codec.hpp"
#include "store/digest.hpp"
#include "store/gear_chunker.hpp"

namespace {

using namespace mv::store;
using Clock = std::chrono::steady_clock;

std::vector<std::uint8_t> weights(std::size_t bytes, bool bf16) {
    std::mt19937 random(1);
    std::normal_distribution<float> weight(0.0F, 0.02F);
    std::vector<std::uint8_t> out(bytes);
    for (std::size_t i = 0; i + (bf16 ? 2 : 4) <= bytes; i += bf16 ? 2 : 4) {
        const float value = weight(random);
        std::uint8_t raw[4];
        std::memcpy(raw, &value, 4);
        std::memcpy(out.data() + i, bf16 ? raw + 2 : raw, bf16 ? 2 : 4);
    }
    return out;
}

double seconds(const std::function<void()>& work) {
    const auto start = Clock::now();
    work();
    return std::chrono::duration<double>(Clock::now() - start).count();
}

void report(const char* what, std::size_t bytes, double time, double ratio = -1) {
    std::printf("%-36s %8.0f MiB/s", what, static_cast<double>(bytes) / (1 << 20) / time);
    if (ratio >= 0) {
        std::printf("   stored/raw %.3f", ratio);
    }
    std::printf("\n");
}

// Encodes `data` in 4 MiB chunks with `choice` (or the automatic choice) and decodes it.
void codec_run(const char* name, const std::vector<std::uint8_t>& data, CodecChoice choice,
               bool automatic) {
    CodecContext context;
    const std::size_t chunk = 4u << 20;
    std::vector<ByteBuffer> encoded;
    std::vector<BlobCodec> codecs;
    std::size_t stored = 0;
    const double encode = seconds([&] {
        for (std::size_t at = 0; at < data.size(); at += chunk) {
            const std::span<const std::uint8_t> piece(data.data() + at,
                                                      std::min(chunk, data.size() - at));
            const CodecChoice c =
                automatic ? choose_codec(piece, ValueType::unknown, 0, {}, context) : choice;
            encoded.emplace_back();
            codecs.push_back(encode_chunk(piece, c, 3, context, encoded.back()));
            stored += encoded.back().size();
        }
    });
    std::vector<std::uint8_t> out(chunk);
    const double decode = seconds([&] {
        for (std::size_t i = 0; i < encoded.size(); ++i) {
            const std::size_t size = std::min(chunk, data.size() - i * chunk);
            if (!decode_chunk(encoded[i], codecs[i], std::span(out).first(size), context)) {
                std::fprintf(stderr, "decode failed\n");
                std::exit(1);
            }
        }
    });
    const double ratio = static_cast<double>(stored) / static_cast<double>(data.size());
    report((std::string(name) + " encode").c_str(), data.size(), encode, ratio);
    report((std::string(name) + " decode").c_str(), data.size(), decode);
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t size = (argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 256) << 20;
    const auto f32 = weights(size, false);
    const auto bf16 = weights(size, true);
    std::printf("== %zu MiB of N(0, 0.02) weights, one thread\n", size >> 20);
    std::size_t chunks = 0;
    report("gear chunker (2 MiB average)", size,
           seconds([&] { chunks = cut_lengths(f32).size(); }));
    report("sha-256", size, seconds([&] { (void)Digest::sha256_of(f32); }));
    std::vector<std::uint8_t> planes(size);
    report("byte grouping, float32", size,
           seconds([&] { split_planes(f32.data(), size / 4, 4, planes.data()); }));
    std::vector<std::uint8_t> merged(size);
    report("byte merging, float32", size,
           seconds([&] { merge_planes(planes.data(), size / 4, 4, merged.data()); }));
    if (merged != f32) {
        std::fprintf(stderr, "merging did not give the weights back\n");
        return 1;
    }
    codec_run("float32 planes", f32, {BlobCodec::planes, 4, 0}, false);
    codec_run("float32 zstd -3", f32, {BlobCodec::zstd, 0, 0}, false);
    codec_run("float32 automatic (sampled)", f32, {}, true);
    codec_run("bfloat16 planes", bf16, {BlobCodec::planes, 2, 0}, false);
    codec_run("bfloat16 zstd -3", bf16, {BlobCodec::zstd, 0, 0}, false);
    codec_run("bfloat16 automatic (sampled)", bf16, {}, true);
    std::printf("gear chunks: %zu\n", chunks);
    return 0;
}
