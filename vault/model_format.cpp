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

constexpr std::string_view k_hdf5_signature = "\x89HDF\r\n\x1a\n";
constexpr std::uint64_t k_max_safetensors_header_length = 100u << 20;

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

} // namespace mv::vault

namespace mv::vault {

namespace {

constexpr std::size_t k_eocd_size = 22;
constexpr std::size_t k_max_zip_comment = 65535;

std::uint32_t le32(const char* p) {
    std::uint32_t value = 0;
    for (int i = 3; i >= 0; --i) {
        value = (value << 8) | static_cast<unsigned char>(p[i]);
    }
    return value;
}

std::uint16_t le16(const char* p) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(p[0]) |
                                      (static_cast<unsigned char>(p[1]) << 8));
}

StructureCheck check_zip(int fd, std::uint64_t size) {
    // The end-of-central-directory record sits in the last 22 + comment bytes; a zip
    // still being written has none yet.
    const std::size_t tail_size =
        static_cast<std::size_t>(std::min<std::uint64_t>(size, k_eocd_size + k_max_zip_comment));
    std::string tail(tail_size, '\0');
    if (::pread(fd, tail.data(), tail_size, static_cast<off_t>(size - tail_size)) !=
        static_cast<ssize_t>(tail_size)) {
        return {false, "cannot read the end of the zip"};
    }
    for (std::size_t pos = tail_size >= k_eocd_size ? tail_size - k_eocd_size : 0;; --pos) {
        if (tail.compare(pos, 4, "PK\x05\x06") == 0) {
            const std::uint16_t comment = le16(&tail[pos + 20]);
            if (pos + k_eocd_size + comment == tail_size) {
                const std::uint32_t cd_size = le32(&tail[pos + 12]);
                const std::uint32_t cd_offset = le32(&tail[pos + 16]);
                const std::uint64_t eocd_at = size - tail_size + pos;
                if (cd_offset == 0xffffffffu || cd_size == 0xffffffffu) {
                    return {}; // ZIP64: the sizes live in another record
                }
                if (static_cast<std::uint64_t>(cd_offset) + cd_size > eocd_at) {
                    return {false, "the zip's central directory points past the end of the file"};
                }
                // The directory starts where the end record says. A zip cut right after a
                // stored inner zip (SB3 keeps torch's zip in its own) ends with that inner
                // zip's end record, whose offsets are relative to the inner zip.
                char signature[4];
                if (cd_size > 0 && (::pread(fd, signature, 4, static_cast<off_t>(cd_offset)) != 4 ||
                                    std::string_view(signature, 4) != "PK\x01\x02")) {
                    return {false,
                            "the zip's central directory is not where its end record says (the "
                            "end record may belong to a zip stored inside it)"};
                }
                return {};
            }
        }
        if (pos == 0) {
            break;
        }
    }
    return {false, "the zip has no end-of-central-directory record yet"};
}

StructureCheck check_safetensors(int fd, std::uint64_t size) {
    char length_bytes[8];
    if (size < 8 || ::pread(fd, length_bytes, 8, 0) != 8) {
        return {false, "shorter than a safetensors header"};
    }
    std::uint64_t header_length = 0;
    for (int i = 7; i >= 0; --i) {
        header_length = (header_length << 8) | static_cast<unsigned char>(length_bytes[i]);
    }
    if (header_length > k_max_safetensors_header_length || 8 + header_length > size) {
        return {false, "the safetensors header is not complete"};
    }
    std::string header(header_length, '\0');
    if (::pread(fd, header.data(), header_length, 8) != static_cast<ssize_t>(header_length)) {
        return {false, "cannot read the safetensors header"};
    }
    const auto parsed = nlohmann::json::parse(header, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        return {false, "the safetensors header is not valid JSON yet"};
    }
    std::uint64_t data_end = 0;
    for (const auto& [name, tensor] : parsed.items()) {
        if (name == "__metadata__" || !tensor.is_object() || !tensor.contains("data_offsets")) {
            continue;
        }
        const auto& offsets = tensor["data_offsets"];
        if (offsets.is_array() && offsets.size() == 2 && offsets[1].is_number_unsigned()) {
            data_end = std::max(data_end, offsets[1].get<std::uint64_t>());
        }
    }
    if (8 + header_length + data_end != size) {
        return {false, fmt::format("safetensors data should end at byte {}, the file has {}",
                                   8 + header_length + data_end, size)};
    }
    return {};
}

// The superblock (docs: HDF5 File Format Specification, "Superblock") records the end of
// the file's data, relative to its base address; version 3 also says whether a writer
// still has the file open.
StructureCheck check_hdf5(int fd, std::uint64_t size) {
    std::uint64_t at = 0; // where the signature is: 0, or after a user block of 512·2^n
    char head[96];
    for (;; at = at == 0 ? 512 : at * 2) {
        if (at + sizeof head > size) {
            return {false, "the HDF5 superblock is not complete yet"};
        }
        if (::pread(fd, head, sizeof head, static_cast<off_t>(at)) != sizeof head) {
            return {false, "cannot read the HDF5 superblock"};
        }
        if (std::string_view(head, 8) == k_hdf5_signature) {
            break;
        }
    }
    const int version = static_cast<unsigned char>(head[8]);
    std::size_t offsets = 0;
    std::size_t base_at = 0;
    if (version == 0 || version == 1) {
        offsets = static_cast<unsigned char>(head[13]);
        base_at = version == 0 ? 24 : 28;
    } else if (version == 2 || version == 3) {
        offsets = static_cast<unsigned char>(head[9]);
        base_at = 12;
        if (version == 3 && (static_cast<unsigned char>(head[11]) & 0x05) != 0) {
            return {false, "the HDF5 file is still open for writing (its superblock says so)"};
        }
    } else {
        return {}; // a newer superblock: nothing we can check
    }
    if (offsets != 2 && offsets != 4 && offsets != 8) {
        return {false, "the HDF5 superblock is not valid yet"};
    }
    const auto address = [&](std::size_t index) {
        std::uint64_t value = 0;
        for (std::size_t i = offsets; i > 0; --i) {
            value =
                (value << 8) | static_cast<unsigned char>(head[base_at + index * offsets + i - 1]);
        }
        return value;
    };
    const std::uint64_t undefined = offsets == 8 ? ~0ull : (1ull << (8 * offsets)) - 1;
    const std::uint64_t base = address(0);
    const std::uint64_t end = address(2); // base, then free space / extension, then end of file
    if (base == undefined || end == undefined) {
        return {};
    }
    if (base + end > size) {
        return {false, fmt::format("the HDF5 superblock says the data ends at byte {}, the "
                                   "file has {}",
                                   base + end, size)};
    }
    return {};
}

} // namespace

StructureCheck check_structure(int fd, const std::string& format, std::string_view file_name) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return {false, "cannot stat the file"};
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (format == "zip" || format == "pytorch-zip" || format == "keras-v3") {
        return check_zip(fd, size);
    }
    if (format == "safetensors") {
        return check_safetensors(fd, size);
    }
    if (format == "hdf5") {
        return check_hdf5(fd, size);
    }
    const std::string ext = lower_extension(file_name);
    const bool torch_extension = ext == "pt" || ext == "pth" || ext == "ckpt";
    if (torch_extension && (format == "unknown" || format == "empty")) {
        // torch.save (and so Lightning) writes zip archives, formerly pickles: anything
        // else under these names is a checkpoint whose first bytes are not there yet.
        return {false, "a PyTorch checkpoint (.pt, .pth, .ckpt) is a zip archive or a pickle; "
                       "this file is neither (yet)"};
    }
    if (format == "xz") {
        // Every xz stream ends with a 12-byte footer whose last two bytes are "YZ".
        char footer[2] = {};
        if (size < 12 || ::pread(fd, footer, 2, static_cast<off_t>(size - 2)) != 2 ||
            std::string_view(footer, 2) != "YZ") {
            return {false, "the xz stream has no footer yet"};
        }
    }
    if (format == "pickle") {
        if (ext == "pt" || ext == "pth" || ext == "ckpt") {
            return {}; // legacy torch.save: pickles followed by raw storage bytes
        }
        char last = 0;
        if (size == 0 || ::pread(fd, &last, 1, static_cast<off_t>(size - 1)) != 1 || last != '.') {
            return {false, "the pickle does not end with its STOP opcode yet"};
        }
    }
    return {};
}

} // namespace mv::vault

namespace mv::vault {

StructureCheck check_folder(const std::vector<std::string>& files) {
    const auto has = [&](std::string_view path) {
        return std::find(files.begin(), files.end(), path) != files.end();
    };
    const auto any = [&](auto&& predicate) {
        return std::any_of(files.begin(), files.end(), predicate);
    };
    if (any([](const std::string& f) { return f.starts_with("variables/"); }) &&
        !has("saved_model.pb") && !has("saved_model.pbtxt")) {
        return {false, "a TensorFlow SavedModel is complete once saved_model.pb is written "
                       "(after variables/); it is not there yet"};
    }
    if (any([](const std::string& f) { return f.ends_with(".distcp"); }) && !has(".metadata")) {
        return {false, "a torch.distributed.checkpoint folder is complete once .metadata is "
                       "written (after the .distcp files); it is not there yet"};
    }
    return {};
}

} // namespace mv::vault
