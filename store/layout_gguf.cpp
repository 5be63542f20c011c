// GGUF (llama.cpp's model format, version 2 and 3): a header of key/value metadata and
// tensor descriptions, then the tensor data, aligned to `general.alignment` (32 by
// default). Offsets in the descriptions are relative to the start of the data.
#include <algorithm>

#include <fmt/format.h>

#include "store/byte_cursor.hpp"
#include "store/layout.hpp"

namespace mv::store::detail {

namespace {

constexpr std::uint64_t k_max_tensors = 1u << 20;
constexpr std::uint64_t k_max_keys = 1u << 20;
constexpr int k_max_nesting = 4;

enum GgufType : std::uint64_t {
    k_uint8 = 0,
    k_int8,
    k_uint16,
    k_int16,
    k_uint32,
    k_int32,
    k_float32,
    k_bool,
    k_string,
    k_array,
    k_uint64,
    k_int64,
    k_float64
};

// Bytes of a fixed-size value of `type`, 0 for strings and arrays.
std::uint64_t fixed_size(std::uint64_t type) {
    switch (type) {
    case k_uint8:
    case k_int8:
    case k_bool:
        return 1;
    case k_uint16:
    case k_int16:
        return 2;
    case k_uint32:
    case k_int32:
    case k_float32:
        return 4;
    case k_uint64:
    case k_int64:
    case k_float64:
        return 8;
    default:
        return 0;
    }
}

Result<std::string> read_string(ByteCursor& cursor) {
    auto length = cursor.u64();
    if (!length) {
        return failure(length.error());
    }
    return cursor.bytes(*length);
}

Result<void> skip_value(ByteCursor& cursor, std::uint64_t type, int depth) {
    if (depth > k_max_nesting) {
        return failure("GGUF arrays nested too deeply");
    }
    if (const std::uint64_t size = fixed_size(type); size > 0) {
        return cursor.skip(size);
    }
    if (type == k_string) {
        auto length = cursor.u64();
        return length ? cursor.skip(*length) : Result<void>(failure(length.error()));
    }
    if (type != k_array) {
        return failure(fmt::format("unknown GGUF value type {}", type));
    }
    auto element = cursor.u32();
    auto count = element ? cursor.u64() : Result<std::uint64_t>(failure(element.error()));
    if (!count) {
        return failure(count.error());
    }
    if (const std::uint64_t size = fixed_size(*element); size > 0) {
        if (*count > (std::uint64_t{1} << 40) / size) {
            return failure("a GGUF array larger than the file");
        }
        return cursor.skip(*count * size);
    }
    for (std::uint64_t i = 0; i < *count; ++i) {
        if (auto ok = skip_value(cursor, *element, depth + 1); !ok) {
            return ok;
        }
    }
    return {};
}

ValueType ggml_type(std::uint64_t type) {
    switch (type) {
    case 0:
        return ValueType::float32;
    case 1:
        return ValueType::float16;
    case 28:
        return ValueType::float64;
    case 30:
        return ValueType::bfloat16;
    default:
        return ValueType::unknown;
    }
}

struct GgufTensor {
    std::uint64_t offset = 0;
    std::uint64_t elements = 1; ///< 0 when the product overflows
    ValueType type = ValueType::unknown;
};

Result<GgufTensor> read_tensor_info(ByteCursor& cursor) {
    if (auto name = read_string(cursor); !name) {
        return failure(name.error());
    }
    auto dims = cursor.u32();
    if (!dims || *dims > 8) {
        return failure("a GGUF tensor with more than 8 dimensions");
    }
    GgufTensor tensor;
    for (std::uint64_t d = 0; d < *dims; ++d) {
        auto extent = cursor.u64();
        if (!extent) {
            return failure(extent.error());
        }
        tensor.elements = *extent != 0 && tensor.elements > (std::uint64_t{1} << 62) / *extent
                              ? 0
                              : tensor.elements * *extent;
    }
    auto type = cursor.u32();
    auto offset = type ? cursor.u64() : Result<std::uint64_t>(failure(type.error()));
    if (!offset) {
        return failure(offset.error());
    }
    tensor.type = ggml_type(*type);
    tensor.offset = *offset;
    return tensor;
}

} // namespace

Result<std::vector<TensorSpan>> gguf_tensors(const ReadAt& read, std::uint64_t size,
                                             std::uint64_t& header_end) {
    ByteCursor cursor(read, 4, size);
    auto version = cursor.u32();
    auto tensor_count = version ? cursor.u64() : Result<std::uint64_t>(failure("short"));
    auto key_count = tensor_count ? cursor.u64() : Result<std::uint64_t>(failure("short"));
    if (!key_count || (*version != 2 && *version != 3) || *tensor_count > k_max_tensors ||
        *key_count > k_max_keys) {
        return failure("not a GGUF file of version 2 or 3");
    }
    std::uint64_t alignment = 32;
    for (std::uint64_t i = 0; i < *key_count; ++i) {
        auto key = read_string(cursor);
        auto type = key ? cursor.u32() : Result<std::uint64_t>(failure(key.error()));
        if (!type) {
            return failure(type.error());
        }
        if (*key == "general.alignment" && *type == k_uint32) {
            auto value = cursor.u32();
            if (!value || *value == 0 || *value > (1u << 20)) {
                return failure("implausible general.alignment");
            }
            alignment = *value;
        } else if (auto ok = skip_value(cursor, *type, 0); !ok) {
            return failure(ok.error());
        }
    }
    std::vector<GgufTensor> infos;
    for (std::uint64_t i = 0; i < *tensor_count; ++i) {
        auto info = read_tensor_info(cursor);
        if (!info) {
            return failure(info.error());
        }
        infos.push_back(*info);
    }
    const std::uint64_t data_start = (cursor.offset() + alignment - 1) / alignment * alignment;
    if (data_start > size) {
        return failure("GGUF data would start after the end of the file");
    }
    header_end = cursor.offset();
    std::sort(infos.begin(), infos.end(),
              [](const GgufTensor& a, const GgufTensor& b) { return a.offset < b.offset; });
    std::vector<TensorSpan> tensors;
    for (std::size_t i = 0; i < infos.size(); ++i) {
        const std::uint64_t begin = data_start + infos[i].offset;
        if (infos[i].offset > size - data_start) {
            return failure("a GGUF tensor starts after the end of the file");
        }
        // Quantised types have block layouts; their extent is up to the next tensor.
        const std::uint64_t next = i + 1 < infos.size() ? data_start + infos[i + 1].offset : size;
        std::uint64_t length = next - std::min(next, begin);
        const std::uint64_t width = value_width(infos[i].type);
        if (infos[i].type != ValueType::unknown && infos[i].elements != 0 &&
            infos[i].elements <= length / width) {
            length = infos[i].elements * width;
        }
        tensors.push_back({begin, length, infos[i].type});
    }
    return tensors;
}

} // namespace mv::store::detail
