#include "vault/model_format.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mv::vault {

namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

std::uint64_t read_le64(std::string_view bytes) {
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i) {
        value = (value << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
    }
    return value;
}

// The zip's first local file header names its first entry; PyTorch writes
// "<name>/data.pkl" or "<name>/version" first, Keras v3 "metadata.json" or "config.json".
std::string zip_flavour(std::string_view head) {
    if (head.size() < 30) {
        return "zip";
    }
    const auto name_length = static_cast<std::size_t>(static_cast<unsigned char>(head[26]) |
                                                      (static_cast<unsigned char>(head[27]) << 8));
    const std::string_view name = head.substr(30, std::min(name_length, head.size() - 30));
    if (name.ends_with("data.pkl") || name.ends_with("/version") ||
        name.ends_with(".data/version")) {
        return "pytorch-zip";
    }
    if (name == "metadata.json" || name == "config.json" || name == "model.weights.h5") {
        return "keras-v3";
    }
    return "zip";
}

// The compressed containers joblib and users put pickles in, by their magic bytes.
std::optional<std::string> compression_format(std::string_view head) {
    if (starts_with(head, "\xfd"
                          "7zXZ\x00")) {
        return "xz";
    }
    if (starts_with(head, "\x1f\x8b")) {
        return "gzip";
    }
    if (head.size() >= 4 && starts_with(head, "BZh") && head[3] >= '1' && head[3] <= '9') {
        return "bzip2";
    }
    if (starts_with(head, "\x28\xb5\x2f\xfd")) {
        return "zstd";
    }
    if (starts_with(head, "\x04\x22\x4d\x18")) {
        return "lz4";
    }
    // The legacy .lzma ("alone") header: properties 0x5D (lc=3 lp=0 pb=2, what Python's
    // lzma and xz-utils write), then a dictionary size of 2^n or 2^n + 2^(n-1) bytes.
    if (head.size() >= 13 && static_cast<unsigned char>(head[0]) == 0x5d) {
        std::uint32_t dict = 0;
        for (int i = 4; i >= 1; --i) {
            dict = (dict << 8) | static_cast<unsigned char>(head[static_cast<std::size_t>(i)]);
        }
        for (int n = 12; n <= 30; ++n) {
            if (dict == (1u << n) || dict == (1u << n) + (1u << (n - 1))) {
                return "lzma";
            }
        }
    }
    return std::nullopt;
}

bool extension_accepts(const std::string& ext, const std::string& format) {
    const auto one_of = [&](std::initializer_list<std::string_view> formats) {
        return std::find(formats.begin(), formats.end(), format) != formats.end();
    };
    if (ext == "h5" || ext == "hdf5") {
        return one_of({"hdf5"});
    }
    if (ext == "keras") {
        return one_of({"keras-v3", "zip", "hdf5"});
    }
    if (ext == "pkl" || ext == "pickle") {
        return one_of({"pickle"});
    }
    if (ext == "joblib") {
        // joblib.dump(..., compress=...) writes any of these under the same name.
        return one_of({"pickle", "zlib", "gzip", "bzip2", "xz", "lzma", "lz4"});
    }
    // A compressed copy ("dqn.pkl.gz", joblib's "model.joblib.xz"): the outer codec.
    if (ext == "z") {
        return one_of({"zlib"});
    }
    if (ext == "gz") {
        return one_of({"gzip"});
    }
    if (ext == "bz2") {
        return one_of({"bzip2"});
    }
    if (ext == "xz") {
        return one_of({"xz"});
    }
    if (ext == "lzma") {
        return one_of({"lzma", "xz"});
    }
    if (ext == "zst") {
        return one_of({"zstd"});
    }
    if (ext == "lz4") {
        return one_of({"lz4"});
    }
    if (ext == "pt" || ext == "pth" || ext == "ckpt") {
        return one_of({"pytorch-zip", "zip", "pickle"});
    }
    if (ext == "zip") {
        return one_of({"zip", "pytorch-zip", "keras-v3"});
    }
    if (ext == "onnx") {
        return one_of({"onnx"});
    }
    if (ext == "safetensors") {
        return one_of({"safetensors"});
    }
    if (ext == "gguf") {
        return one_of({"gguf"});
    }
    if (ext == "npy") {
        return one_of({"numpy"});
    }
    return true; // an extension we do not know promises nothing
}

} // namespace

std::string format_from_header(std::string_view head, unsigned long long file_size) {
    if (starts_with(head, k_hdf5_signature)) {
        return "hdf5";
    }
    if (starts_with(head, "PK\x03\x04") || starts_with(head, "PK\x05\x06")) {
        return zip_flavour(head);
    }
    if (starts_with(head, "GGUF")) {
        return "gguf";
    }
    if (starts_with(head, "\x93NUMPY")) {
        return "numpy";
    }
    if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x80 &&
        static_cast<unsigned char>(head[1]) >= 2 && static_cast<unsigned char>(head[1]) <= 5) {
        return "pickle";
    }
    if (head.size() >= 9 && head[8] == '{') {
        // A plausible header length, even one the file does not hold yet: a safetensors
        // file still being written must be recognised so that its check can fail.
        const std::uint64_t header_length = read_le64(head);
        if (header_length >= 2 && header_length <= k_max_safetensors_header_length &&
            file_size >= 9) {
            return "safetensors";
        }
    }
    if (const auto codec = compression_format(head)) {
        return *codec;
    }
    if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x78 &&
        (static_cast<unsigned char>(head[1]) == 0x01 ||
         static_cast<unsigned char>(head[1]) == 0x5e ||
         static_cast<unsigned char>(head[1]) == 0x9c ||
         static_cast<unsigned char>(head[1]) == 0xda)) {
        return "zlib";
    }
    // ONNX is a protobuf ModelProto whose first field is ir_version (field 1, varint);
    // detect_format() tells it from other protobuf files by name.
    if (head.size() >= 2 && head[0] == '\x08' && static_cast<unsigned char>(head[1]) < 0x80 &&
        head[1] > 0 && head[1] < 64) {
        return "onnx";
    }
    return "unknown";
}

DetectedFormat detect_format(int fd, std::string_view file_name) {
    DetectedFormat result;
    std::array<char, 4096> buffer{};
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return result;
    }
    const ssize_t got = ::pread(fd, buffer.data(), buffer.size(), 0);
    if (got <= 0) {
        result.format = got == 0 ? "empty" : "unknown";
        result.matches_extension = got != 0; // an empty file is no model of any kind
        return result;
    }
    std::string_view head(buffer.data(), static_cast<std::size_t>(got));
    result.format = format_from_header(head, static_cast<unsigned long long>(st.st_size));
    // HDF5 files may carry a user block: the signature then sits at 512, 1024, 2048 ...
    for (off_t offset = 512; result.format == "unknown" && offset < st.st_size && offset <= 8192;
         offset *= 2) {
        char signature[8];
        if (::pread(fd, signature, sizeof signature, offset) == 8 &&
            std::string_view(signature, 8) == k_hdf5_signature) {
            result.format = "hdf5";
        }
    }
    // Protobuf has no magic: the name tells a SavedModel graph or an ONNX model from other
    // protobuf files.
    if (result.format == "onnx") {
        const std::size_t slash = file_name.rfind('/');
        const std::string_view base =
            slash == std::string_view::npos ? file_name : file_name.substr(slash + 1);
        const std::string ext = lower_extension(file_name);
        if (base == "saved_model.pb") {
            result.format = "savedmodel";
        } else if (ext != "onnx") {
            result.format = "protobuf";
        }
    }
    result.matches_extension = extension_accepts(lower_extension(file_name), result.format);
    return result;
}

std::string lower_extension(std::string_view name) {
    const std::size_t slash = name.rfind('/');
    const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
    const std::size_t dot = base.rfind('.');
    if (dot == std::string_view::npos || dot == 0) {
        return {};
    }
    std::string ext(base.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

} // namespace mv::vault
