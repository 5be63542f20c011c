// The structural checks (docs/FORMAT.md, the manifest's `incomplete` field): a file or
// folder that fails its format's check is stored flagged incomplete, never as `best`.
#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "vault/model_format.hpp"

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

namespace {

// "a/__3_0.distcp" → ("a", "3"); nullopt for a name that is not a rank's .distcp file.
std::optional<std::pair<std::string, std::string>> distcp_rank(const std::string& path) {
    if (!path.ends_with(".distcp")) {
        return std::nullopt;
    }
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
    const std::string_view name =
        std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
    const auto end = name.find('_', 2);
    if (!name.starts_with("__") || end == std::string_view::npos || end == 2) {
        return std::pair{dir, std::string()};
    }
    return std::pair{dir, std::string(name.substr(2, end - 2))};
}

// Each folder holding .distcp files — a DCP checkpoint, or one nested in another (a
// Hugging Face FSDP checkpoint's pytorch_model_fsdp_0/) — is complete once the coordinator
// renamed .metadata into it, or, saved without collectives, once every rank wrote its
// __<rank>.metadata.
std::optional<std::string> unfinished_dcp_folder(const std::vector<std::string>& files) {
    const auto has = [&](const std::string& path) {
        return std::find(files.begin(), files.end(), path) != files.end();
    };
    std::map<std::string, std::set<std::string>> ranks_by_folder;
    for (const auto& file : files) {
        if (auto rank = distcp_rank(file)) {
            ranks_by_folder[rank->first].insert(rank->second);
        }
    }
    for (const auto& [folder, ranks] : ranks_by_folder) {
        const std::string prefix = folder.empty() ? "" : folder + "/";
        if (has(prefix + ".metadata")) {
            continue;
        }
        const bool every_rank = std::all_of(ranks.begin(), ranks.end(), [&](const auto& rank) {
            return !rank.empty() && has(prefix + "__" + rank + ".metadata");
        });
        if (!every_rank) {
            return fmt::format("a torch.distributed.checkpoint folder{} is complete once .metadata "
                               "is written (after the .distcp files); it is not there yet",
                               folder.empty() ? "" : " (" + folder + "/)");
        }
    }
    return std::nullopt;
}

} // namespace

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
    if (auto problem = unfinished_dcp_folder(files)) {
        return {false, std::move(*problem)};
    }
    return {};
}

} // namespace mv::vault
