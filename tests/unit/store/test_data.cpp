#include "tests/unit/store/test_data.hpp"

#include <cstring>
#include <random>

#include <nlohmann/json.hpp>

namespace mv::store::test {

namespace {

void put_le(std::string& out, std::uint64_t value, int width) {
    for (int i = 0; i < width; ++i) {
        out += static_cast<char>(value >> (8 * i));
    }
}

std::uint32_t crc32_of(const std::string& data) {
    std::uint32_t crc = 0xffffffffu;
    for (const unsigned char c : data) {
        crc ^= c;
        for (int k = 0; k < 8; ++k) {
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

} // namespace

std::string float32_weights(std::size_t count, unsigned seed) {
    std::mt19937 random(seed);
    std::normal_distribution<float> weight(0.0F, 0.02F);
    std::string out(count * 4, '\0');
    for (std::size_t i = 0; i < count; ++i) {
        const float value = weight(random);
        std::memcpy(out.data() + i * 4, &value, 4);
    }
    return out;
}

std::string bfloat16_weights(std::size_t count, unsigned seed) {
    const std::string f32 = float32_weights(count, seed);
    std::string out(count * 2, '\0');
    for (std::size_t i = 0; i < count; ++i) {
        out[2 * i] = f32[4 * i + 2];
        out[2 * i + 1] = f32[4 * i + 3];
    }
    return out;
}

std::string
safetensors(const std::vector<std::tuple<std::string, std::string, std::string>>& tensors) {
    nlohmann::json header = nlohmann::json::object();
    std::string data;
    for (const auto& [name, dtype, bytes] : tensors) {
        header[name] = {{"dtype", dtype},
                        {"shape", {bytes.size() / (dtype == "F32" ? 4 : 2)}},
                        {"data_offsets", {data.size(), data.size() + bytes.size()}}};
        data += bytes;
    }
    std::string text = header.dump();
    std::string out;
    put_le(out, text.size(), 8);
    return out + text + data;
}

std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& members) {
    std::string out;
    std::string directory;
    for (const auto& [name, bytes] : members) {
        const auto offset = out.size();
        const auto crc = crc32_of(bytes);
        std::string common;
        put_le(common, 0, 2); // flags
        put_le(common, 0, 2); // stored
        put_le(common, 0, 4); // time, date
        put_le(common, crc, 4);
        put_le(common, bytes.size(), 4);
        put_le(common, bytes.size(), 4);
        put_le(common, name.size(), 2);
        put_le(common, 0, 2); // extra
        put_le(out, 0x04034b50, 4);
        put_le(out, 20, 2);
        out += common + name + bytes;
        put_le(directory, 0x02014b50, 4);
        put_le(directory, 20, 2);
        put_le(directory, 20, 2);
        directory += common;
        put_le(directory, 0, 2); // comment
        put_le(directory, 0, 2); // disk
        put_le(directory, 0, 2); // internal attributes
        put_le(directory, 0, 4); // external attributes
        put_le(directory, offset, 4);
        directory += name;
    }
    const auto directory_offset = out.size();
    out += directory;
    put_le(out, 0x06054b50, 4);
    put_le(out, 0, 4);
    put_le(out, members.size(), 2);
    put_le(out, members.size(), 2);
    put_le(out, directory.size(), 4);
    put_le(out, directory_offset, 4);
    put_le(out, 0, 2);
    return out;
}

std::string npy_float32(const std::string& values) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                         std::to_string(values.size() / 4) + ",), }";
    header.resize(128 - 10 - 1, ' ');
    header += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\x00';
    put_le(out, header.size(), 2);
    return out + header + values;
}

} // namespace mv::store::test
