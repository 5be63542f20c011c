// What encryption adds per chunk, on this CPU: naming a 2 MiB chunk with SHA-256 (a plain
// vault) against HMAC-SHA256 (an encrypted one), and sealing and opening it with
// AES-256-GCM (crypto/aead.hpp). These bound the cost of encryption in a backup and a
// restore; the end-to-end ratio also counts reading, compression and fsync, which are
// the same in both.
//
//   mv_crypto_bench [MiB]     (default 512: the data is cycled through 2 MiB chunks)

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include <openssl/sha.h>

#include "crypto/aead.hpp"
#include "crypto/keyed_hash.hpp"
#include "crypto/master_key.hpp"
#include "crypto/random.hpp"

namespace {

constexpr std::size_t k_chunk = 2u << 20;

// GB/s of `step` run over `total` bytes in chunks, best of three passes.
double throughput(std::size_t total, const std::function<void()>& step) {
    double best = 0;
    for (int pass = 0; pass < 3; ++pass) {
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t done = 0; done < total; done += k_chunk) {
            step();
        }
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        best = std::max(best, static_cast<double>(total) / took.count() / 1e9);
    }
    return best;
}

} // namespace

int main(int argc, char** argv) {
    using namespace mv::crypto;
    const std::size_t total = (argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 512) << 20;
    const MasterKey master = MasterKey::generate();
    const KeyedHash namer(master.name_key());
    const auto chunk = random_bytes(k_chunk);
    const auto associated = associated_data(Role::chunk, random_bytes(32));
    std::vector<std::uint8_t> sealed = seal(master.data_key(), chunk, associated);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    volatile std::uint8_t sink = 0;

    const double sha = throughput(total, [&] { SHA256(chunk.data(), chunk.size(), digest); });
    const double hmac = throughput(total, [&] { sink = sink + namer(chunk)[0]; });
    const double seal_rate = throughput(total, [&] {
        sealed.clear();
        seal_append(master.data_key(), chunk, associated, sealed);
    });
    const double open_rate = throughput(total, [&] {
        auto plain = open(master.data_key(), sealed, associated);
        sink = sink + (plain ? (*plain)[0] : 0);
    });
    std::printf("2 MiB chunks, %zu MiB each:\n", total >> 20);
    std::printf("  name SHA-256        %6.2f GB/s\n", sha);
    std::printf("  name HMAC-SHA256    %6.2f GB/s\n", hmac);
    std::printf("  AES-256-GCM seal    %6.2f GB/s\n", seal_rate);
    std::printf("  AES-256-GCM open    %6.2f GB/s\n", open_rate);
    // Seconds per GB of the steps that differ: naming alone, against naming and sealing.
    std::printf("naming + sealing vs naming alone: %.2f s/GB vs %.2f s/GB\n",
                1 / hmac + 1 / seal_rate, 1 / sha);
    return 0;
}
