// Zip archives (PyTorch checkpoints, .npz, Keras v3) and NumPy .npy files. In a zip, each
// member stored without compression is a tensor region: PyTorch's `…/data/N` storages
// (value type unknown here: the codec samples them) and `.npy` members (typed by their
// header). Compressed members and the rest are chunked by content.
#include <algorithm>

#include <fmt/format.h>

#include "store/byte_cursor.hpp"
#include "store/layout.hpp"

namespace mv::store::detail {

namespace {

constexpr std::uint32_t k_end_of_directory = 0x06054b50;
constexpr std::uint32_t k_zip64_locator = 0x07064b50;
constexpr std::uint32_t k_zip64_end = 0x06064b50;
constexpr std::uint32_t k_directory_entry = 0x02014b50;
constexpr std::uint32_t k_local_header = 0x04034b50;
constexpr std::uint64_t k_max_members = 1u << 20;

struct Directory {
    std::uint64_t offset = 0;
    std::uint64_t entries = 0;
};

Result<Directory> find_directory(const ReadAt& read, std::uint64_t size) {
    const std::uint64_t tail_size = std::min<std::uint64_t>(size, 22 + 0xffff);
    auto tail = read(size - tail_size, static_cast<std::size_t>(tail_size));
    if (!tail || tail->size() != tail_size || tail_size < 22) {
        return failure("no end of central directory");
    }
    for (std::size_t pos = tail->size() - 22 + 1; pos-- > 0;) {
        if (load_le(*tail, pos, 4) != k_end_of_directory) {
            continue;
        }
        Directory directory{load_le(*tail, pos + 16, 4), load_le(*tail, pos + 10, 2)};
        if (directory.offset != 0xffffffffu && directory.entries != 0xffff) {
            return directory;
        }
        // ZIP64: a locator right before the end record points at the ZIP64 end record.
        const std::uint64_t end_at = size - tail_size + pos;
        if (end_at < 20) {
            break;
        }
        auto locator = read(end_at - 20, 20);
        if (!locator || locator->size() != 20 || load_le(*locator, 0, 4) != k_zip64_locator) {
            break;
        }
        auto record = read(load_le(*locator, 8, 8), 56);
        if (!record || record->size() != 56 || load_le(*record, 0, 4) != k_zip64_end) {
            break;
        }
        return Directory{load_le(*record, 48, 8), load_le(*record, 32, 8)};
    }
    return failure("no end of central directory");
}

struct Member {
    std::string name;
    std::uint64_t header_offset = 0;
    std::uint64_t size = 0;
    bool stored = false;
};

// Sizes and offset from the ZIP64 extra field where the 32-bit fields are saturated.
void apply_zip64(const std::string& extra, bool size_full, bool compressed_full, bool offset_full,
                 Member& member) {
    for (std::size_t at = 0; at + 4 <= extra.size();) {
        const auto id = load_le(extra, at, 2);
        const auto length = load_le(extra, at + 2, 2);
        if (at + 4 + length > extra.size()) {
            return;
        }
        if (id == 1) {
            std::size_t field = at + 4;
            const auto take = [&](bool wanted, std::uint64_t& out) {
                if (wanted && field + 8 <= at + 4 + length) {
                    out = load_le(extra, field, 8);
                    field += 8;
                }
            };
            std::uint64_t ignored = 0;
            take(size_full, ignored);
            take(compressed_full, member.size);
            take(offset_full, member.header_offset);
        }
        at += 4 + length;
    }
}

Result<Member> read_member(ByteCursor& cursor) {
    auto fixed = cursor.bytes(46);
    if (!fixed || load_le(*fixed, 0, 4) != k_directory_entry) {
        return failure("a damaged central directory entry");
    }
    Member member;
    member.stored = load_le(*fixed, 10, 2) == 0;
    member.size = load_le(*fixed, 20, 4);
    const bool size_full = load_le(*fixed, 24, 4) == 0xffffffffu;
    const bool compressed_full = member.size == 0xffffffffu;
    member.header_offset = load_le(*fixed, 42, 4);
    const bool offset_full = member.header_offset == 0xffffffffu;
    auto name = cursor.bytes(load_le(*fixed, 28, 2));
    auto extra = name ? cursor.bytes(load_le(*fixed, 30, 2)) : name;
    if (!extra || !cursor.skip(load_le(*fixed, 32, 2))) {
        return failure("a truncated central directory entry");
    }
    member.name = std::move(*name);
    apply_zip64(*extra, size_full, compressed_full, offset_full, member);
    return member;
}

bool is_torch_storage(const std::string& name) {
    const auto slash = name.rfind("/data/");
    if (slash == std::string::npos || slash + 6 == name.size()) {
        return false;
    }
    return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(slash + 6), name.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

Result<TensorSpan> npy_tensor(const ReadAt& read, std::uint64_t base, std::uint64_t end) {
    auto head = read(base, 12);
    if (!head || head->size() < 10 || head->compare(0, 6, "\x93NUMPY") != 0) {
        return failure("not a .npy array");
    }
    const int major = static_cast<std::uint8_t>((*head)[6]);
    const std::uint64_t header_length = major == 1           ? load_le(*head, 8, 2)
                                        : head->size() == 12 ? load_le(*head, 8, 4)
                                                             : 0;
    const std::uint64_t data = base + (major == 1 ? 10 : 12) + header_length;
    if (header_length == 0 || header_length > (1u << 20) || data > end) {
        return failure("a damaged .npy header");
    }
    auto text = read(base + (major == 1 ? 10 : 12), static_cast<std::size_t>(header_length));
    if (!text) {
        return failure(text.error());
    }
    ValueType type = ValueType::unknown;
    const auto descr = text->find("'descr'");
    if (descr != std::string::npos) {
        const auto open = text->find('\'', descr + 7);
        const auto close = open == std::string::npos ? open : text->find('\'', open + 1);
        const std::string value =
            close == std::string::npos ? "" : text->substr(open + 1, close - open - 1);
        // Little-endian (or byte-order-free) floats only: the planes assume it.
        if (value == "<f4") {
            type = ValueType::float32;
        } else if (value == "<f2") {
            type = ValueType::float16;
        } else if (value == "<f8") {
            type = ValueType::float64;
        }
    }
    return TensorSpan{data, end - data, type};
}

Result<std::vector<TensorSpan>> zip_tensors(const ReadAt& read, std::uint64_t size) {
    auto directory = find_directory(read, size);
    if (!directory) {
        return failure(directory.error());
    }
    if (directory->entries > k_max_members || directory->offset > size) {
        return failure("an implausible central directory");
    }
    ByteCursor cursor(read, directory->offset, size);
    std::vector<TensorSpan> tensors;
    for (std::uint64_t i = 0; i < directory->entries; ++i) {
        auto member = read_member(cursor);
        if (!member) {
            return failure(member.error());
        }
        const bool npy = member->name.ends_with(".npy");
        if (!member->stored || member->size == 0 || (!npy && !is_torch_storage(member->name))) {
            continue;
        }
        auto local = read(member->header_offset, 30);
        if (!local || local->size() != 30 || load_le(*local, 0, 4) != k_local_header) {
            return failure(fmt::format("no local header for {}", member->name));
        }
        const std::uint64_t data =
            member->header_offset + 30 + load_le(*local, 26, 2) + load_le(*local, 28, 2);
        if (data > size || member->size > size - data) {
            return failure(fmt::format("{} runs past the end of the file", member->name));
        }
        if (npy) {
            auto array = npy_tensor(read, data, data + member->size);
            if (array) {
                tensors.push_back(*array);
            }
            continue;
        }
        tensors.push_back({data, member->size, ValueType::unknown});
    }
    return tensors;
}

} // namespace mv::store::detail
