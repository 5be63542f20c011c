// Writes a model-like file: a safetensors header followed by float32 weights drawn from
// N(0, 0.02), the initialisation of most networks. Such data is nearly incompressible
// (zstd -3 saves ~7 %), unlike zeros, and unlike /dev/urandom it has the exponent
// structure of real weights.
//
//   mv_gen_weights SIZE_MIB OUT [SEED]

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: mv_gen_weights SIZE_MIB OUT [SEED]\n");
        return 2;
    }
    const std::uint64_t size = std::strtoull(argv[1], nullptr, 10) << 20;
    const unsigned seed = argc > 3 ? static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10)) : 1;
    std::FILE* out = std::fopen(argv[2], "wb");
    if (out == nullptr) {
        std::perror(argv[2]);
        return 1;
    }
    const std::uint64_t count = (size - 128) / 4;
    std::string header = "{\"weights\":{\"dtype\":\"F32\",\"shape\":[" + std::to_string(count) +
                         "],\"data_offsets\":[0," + std::to_string(count * 4) + "]}}";
    header.resize(120, ' ');
    const std::uint64_t header_length = header.size();
    std::fwrite(&header_length, 8, 1, out);
    std::fwrite(header.data(), 1, header.size(), out);
    std::mt19937 random(seed);
    std::normal_distribution<float> weight(0.0F, 0.02F);
    std::vector<float> block(1u << 18);
    for (std::uint64_t done = 0; done < count;) {
        const std::uint64_t n = std::min<std::uint64_t>(block.size(), count - done);
        for (std::uint64_t i = 0; i < n; ++i) {
            block[i] = weight(random);
        }
        std::fwrite(block.data(), 4, n, out);
        done += n;
    }
    return std::fclose(out) == 0 ? 0 : 1;
}
