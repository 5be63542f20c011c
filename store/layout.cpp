#include "store/layout.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mv::store {

namespace detail {

namespace {

/// Gaps up to this size ride in front of the next tensor's first chunk (zip local headers,
/// alignment padding); larger ones (a pickle member, metadata) are chunked by content.
constexpr std::uint64_t k_max_prefix = 4096;

/// A safetensors header larger than this is not believed (the format caps it at 100 MB).
constexpr std::uint64_t k_max_safetensors_header = 100u << 20;

std::uint64_t le64(const std::string& bytes, std::size_t at) {
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i) {
        value = (value << 8) | static_cast<std::uint8_t>(bytes[at + static_cast<std::size_t>(i)]);
    }
    return value;
}

} // namespace

ValueType safetensors_type(std::string_view dtype) {
    if (dtype == "F32") {
        return ValueType::float32;
    }
    if (dtype == "BF16") {
        return ValueType::bfloat16;
    }
    if (dtype == "F16") {
        return ValueType::float16;
    }
    if (dtype == "F64") {
        return ValueType::float64;
    }
    return ValueType::unknown;
}

Result<std::vector<Region>> tile(std::vector<TensorSpan> tensors, std::uint64_t size,
                                 std::uint64_t opaque_head) {
    std::erase_if(tensors, [](const TensorSpan& t) { return t.length == 0; });
    std::sort(tensors.begin(), tensors.end(),
              [](const TensorSpan& a, const TensorSpan& b) { return a.offset < b.offset; });
    std::vector<Region> regions;
    std::uint64_t at = 0;
    if (opaque_head > size) {
        return failure("the header ends after the file");
    }
    if (opaque_head > 0) {
        regions.push_back({0, opaque_head, 0, ValueType::unknown, false});
        at = opaque_head;
    }
    for (const auto& tensor : tensors) {
        if (tensor.offset < at || tensor.offset > size || tensor.length > size - tensor.offset) {
            return failure(fmt::format("a tensor at {} overlaps another one or leaves the file",
                                       tensor.offset));
        }
        const std::uint64_t gap = tensor.offset - at;
        std::uint64_t prefix = gap;
        if (gap > k_max_prefix) {
            regions.push_back({at, gap, 0, ValueType::unknown, false});
            prefix = 0;
        }
        regions.push_back(
            {tensor.offset - prefix, tensor.length + prefix, prefix, tensor.type, true});
        at = tensor.offset + tensor.length;
    }
    if (at < size) {
        regions.push_back({at, size - at, 0, ValueType::unknown, false});
    }
    return regions;
}

Result<std::vector<TensorSpan>> safetensors_tensors(const ReadAt& read, std::uint64_t size,
                                                    std::uint64_t& header_end) {
    auto head = read(0, 8);
    if (!head || head->size() < 8) {
        return failure("too short for safetensors");
    }
    const std::uint64_t header_size = le64(*head, 0);
    if (header_size < 2 || header_size > k_max_safetensors_header || header_size > size - 8) {
        return failure("implausible safetensors header size");
    }
    auto text = read(8, static_cast<std::size_t>(header_size));
    if (!text || text->size() != header_size || text->front() != '{') {
        return failure("unreadable safetensors header");
    }
    const nlohmann::json header = nlohmann::json::parse(*text, nullptr, false);
    if (!header.is_object()) {
        return failure("the safetensors header is not a JSON object");
    }
    header_end = 8 + header_size;
    std::vector<TensorSpan> tensors;
    for (const auto& [name, info] : header.items()) {
        if (name == "__metadata__") {
            continue;
        }
        const auto offsets = info.is_object() ? info.find("data_offsets") : info.end();
        const auto dtype = info.is_object() ? info.find("dtype") : info.end();
        if (offsets == info.end() || !offsets->is_array() || offsets->size() != 2 ||
            !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned() ||
            dtype == info.end() || !dtype->is_string()) {
            return failure("a safetensors tensor without dtype or data_offsets");
        }
        const auto begin = (*offsets)[0].get<std::uint64_t>();
        const auto end = (*offsets)[1].get<std::uint64_t>();
        if (end < begin || end > size - header_end) {
            return failure("safetensors data_offsets outside the file");
        }
        tensors.push_back(
            {header_end + begin, end - begin, safetensors_type(dtype->get<std::string>())});
    }
    return tensors;
}

} // namespace detail

ReadAt read_from_memory(std::string bytes) {
    return
        [data = std::move(bytes)](std::uint64_t offset, std::size_t length) -> Result<std::string> {
            if (offset >= data.size()) {
                return std::string();
            }
            return data.substr(static_cast<std::size_t>(offset), length);
        };
}

FileLayout plan_layout(const ReadAt& read, std::uint64_t size) {
    FileLayout opaque{"opaque", {}};
    if (size > 0) {
        opaque.regions.push_back({0, size, 0, ValueType::unknown, false});
    }
    auto magic = read(0, 8);
    if (!magic || magic->size() < 4) {
        return opaque;
    }
    const auto try_format = [&](const char* name, auto&& find) -> std::optional<FileLayout> {
        std::uint64_t head = 0;
        auto tensors = find(head);
        if (!tensors) {
            return std::nullopt;
        }
        auto regions = detail::tile(std::move(*tensors), size, head);
        if (!regions) {
            return std::nullopt;
        }
        return FileLayout{name, std::move(*regions)};
    };
    std::optional<FileLayout> layout;
    try {
        if (magic->compare(0, 4, "GGUF") == 0) {
            layout = try_format("gguf", [&](std::uint64_t& head) {
                return detail::gguf_tensors(read, size, head);
            });
        } else if (magic->compare(0, 4, "PK\x03\x04") == 0) {
            layout =
                try_format("zip", [&](std::uint64_t&) { return detail::zip_tensors(read, size); });
        } else if (magic->size() >= 6 && magic->compare(0, 6, "\x93NUMPY") == 0) {
            layout =
                try_format("npy", [&](std::uint64_t&) -> Result<std::vector<detail::TensorSpan>> {
                    auto tensor = detail::npy_tensor(read, 0, size);
                    if (!tensor) {
                        return failure(tensor.error());
                    }
                    return std::vector<detail::TensorSpan>{*tensor};
                });
        } else if (magic->size() == 8) {
            layout = try_format("safetensors", [&](std::uint64_t& head) {
                return detail::safetensors_tensors(read, size, head);
            });
        }
    } catch (const std::exception&) {
        layout.reset(); // a parser choked on hostile bytes: chunk by content instead
    }
    return layout ? std::move(*layout) : opaque;
}

} // namespace mv::store
