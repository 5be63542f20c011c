// Writes the checkpoint series of issue 12's size benchmark (bench/series.sh): VERSIONS
// safetensors files of about SIZE_MIB each, made of tensors of 1 to 8 MiB whose values
// are drawn from N(0, 0.02) (see gen_weights.cpp). Each version after the first rewrites
// whole tensors, chosen at random, until at least PERCENT % of the bytes changed — what
// a training step that updates some layers (or a fine-tune of a few blocks) does. With
// --dtype bf16 the values are stored as bfloat16 (their upper 16 bits).
//
//   mv_gen_series OUT_DIR SIZE_MIB VERSIONS [PERCENT] [--dtype f32|bf16] [--seed N]
// writes OUT_DIR/v01.safetensors ... OUT_DIR/vNN.safetensors.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct Tensor {
    std::uint64_t values = 0;
    std::vector<char> bytes;
};

struct Options {
    std::string out;
    std::uint64_t size_mib = 0;
    int versions = 0;
    int percent = 10;
    bool bf16 = false;
    unsigned seed = 1;
};

void fill(Tensor& tensor, bool bf16, std::mt19937& random) {
    std::normal_distribution<float> weight(0.0F, 0.02F);
    const std::size_t width = bf16 ? 2 : 4;
    tensor.bytes.resize(tensor.values * width);
    for (std::uint64_t i = 0; i < tensor.values; ++i) {
        const float value = weight(random);
        std::uint32_t bits = 0;
        std::memcpy(&bits, &value, 4);
        if (bf16) {
            const auto upper = static_cast<std::uint16_t>(bits >> 16);
            std::memcpy(tensor.bytes.data() + i * 2, &upper, 2);
        } else {
            std::memcpy(tensor.bytes.data() + i * 4, &bits, 4);
        }
    }
}

bool write_file(const std::string& path, const std::vector<Tensor>& tensors, bool bf16) {
    std::string header = "{";
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const std::uint64_t end = offset + tensors[i].bytes.size();
        header += (i == 0 ? "" : ",") + std::string("\"layer.") + std::to_string(i) +
                  ".weight\":{\"dtype\":\"" + (bf16 ? "BF16" : "F32") + "\",\"shape\":[" +
                  std::to_string(tensors[i].values) + "],\"data_offsets\":[" +
                  std::to_string(offset) + "," + std::to_string(end) + "]}";
        offset = end;
    }
    header += "}";
    header.resize((header.size() + 7) / 8 * 8, ' ');
    std::FILE* out = std::fopen(path.c_str(), "wb");
    if (out == nullptr) {
        std::perror(path.c_str());
        return false;
    }
    const std::uint64_t length = header.size();
    std::fwrite(&length, 8, 1, out);
    std::fwrite(header.data(), 1, header.size(), out);
    for (const auto& tensor : tensors) {
        std::fwrite(tensor.bytes.data(), 1, tensor.bytes.size(), out);
    }
    return std::fclose(out) == 0;
}

bool parse(int argc, char** argv, Options& o) {
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--dtype" && i + 1 < argc) {
            o.bf16 = std::string(argv[++i]) == "bf16";
        } else if (arg == "--seed" && i + 1 < argc) {
            o.seed = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
        } else {
            positional.push_back(arg);
        }
    }
    if (positional.size() < 3) {
        return false;
    }
    o.out = positional[0];
    o.size_mib = std::strtoull(positional[1].c_str(), nullptr, 10);
    o.versions = std::atoi(positional[2].c_str());
    if (positional.size() > 3) {
        o.percent = std::atoi(positional[3].c_str());
    }
    return o.size_mib > 0 && o.versions > 0;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse(argc, argv, o)) {
        std::fprintf(stderr, "usage: mv_gen_series OUT_DIR SIZE_MIB VERSIONS [PERCENT] "
                             "[--dtype f32|bf16] [--seed N]\n");
        return 2;
    }
    std::mt19937 random(o.seed);
    std::uniform_int_distribution<std::uint64_t> mib(1, 8);
    const std::uint64_t width = o.bf16 ? 2 : 4;
    std::vector<Tensor> tensors;
    std::uint64_t total = 0;
    while (total < o.size_mib << 20) {
        Tensor tensor;
        tensor.values = std::min(mib(random) << 20, (o.size_mib << 20) - total) / width;
        fill(tensor, o.bf16, random);
        total += tensor.bytes.size();
        tensors.push_back(std::move(tensor));
    }
    for (int version = 1; version <= o.versions; ++version) {
        if (version > 1) {
            std::uniform_int_distribution<std::size_t> pick(0, tensors.size() - 1);
            std::vector<bool> changed(tensors.size(), false);
            std::uint64_t changed_bytes = 0;
            while (changed_bytes * 100 < total * static_cast<std::uint64_t>(o.percent)) {
                const std::size_t i = pick(random);
                if (!changed[i]) {
                    changed[i] = true;
                    fill(tensors[i], o.bf16, random);
                    changed_bytes += tensors[i].bytes.size();
                }
            }
        }
        char name[32];
        std::snprintf(name, sizeof name, "/v%02d.safetensors", version);
        if (!write_file(o.out + name, tensors, o.bf16)) {
            return 1;
        }
    }
    return 0;
}
