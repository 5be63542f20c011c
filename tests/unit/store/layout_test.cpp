// Tensor-aware layouts: every format maps its tensors, and anything that does not add
// up falls back to one opaque region.
#include <gtest/gtest.h>

#include "store/layout.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/unit/store/test_data.hpp"

namespace mv::store {
namespace {

FileLayout layout_of(const std::string& bytes) {
    return plan_layout(read_from_memory(bytes), bytes.size());
}

void expect_tiles(const FileLayout& layout, std::uint64_t size) {
    std::uint64_t at = 0;
    for (const auto& region : layout.regions) {
        EXPECT_EQ(region.offset, at);
        EXPECT_LE(region.prefix, region.length);
        at += region.length;
    }
    EXPECT_EQ(at, size);
}

TEST(Layout, SafetensorsGivesTheHeaderThenEachTensor) {
    const std::string a = test::float32_weights(1000);
    const std::string b = test::bfloat16_weights(3000);
    const std::string file =
        test::safetensors({{"a", "F32", a}, {"b", "BF16", b}, {"c", "I64", "12345678"}});
    const auto layout = layout_of(file);
    EXPECT_EQ(layout.format, "safetensors");
    expect_tiles(layout, file.size());
    ASSERT_EQ(layout.regions.size(), 4u);
    EXPECT_FALSE(layout.regions[0].tensor);
    EXPECT_EQ(layout.regions[1].type, ValueType::float32);
    EXPECT_EQ(layout.regions[1].length, a.size());
    EXPECT_EQ(layout.regions[2].type, ValueType::bfloat16);
    EXPECT_EQ(layout.regions[3].type, ValueType::unknown);
    EXPECT_TRUE(layout.regions[3].tensor);
}

TEST(Layout, SafetensorsThatLieAreOpaque) {
    std::string file = test::safetensors({{"a", "F32", test::float32_weights(100)}});
    file.resize(file.size() - 10); // data_offsets now point past the end
    const auto layout = layout_of(file);
    EXPECT_EQ(layout.format, "opaque");
    ASSERT_EQ(layout.regions.size(), 1u);
    EXPECT_EQ(layout.regions[0].length, file.size());
}

TEST(Layout, ZipStoredTorchStoragesAndNpyMembersAreTensors) {
    const std::string storage = test::float32_weights(5000);
    const std::string array = test::npy_float32(test::float32_weights(2000, 2));
    const std::string file = test::stored_zip({{"model/data.pkl", std::string(9000, 'p')},
                                               {"model/data/0", storage},
                                               {"model/weights.npy", array},
                                               {"model/version", "3\n"}});
    const auto layout = layout_of(file);
    EXPECT_EQ(layout.format, "zip");
    expect_tiles(layout, file.size());
    std::vector<Region> tensors;
    for (const auto& r : layout.regions) {
        if (r.tensor) {
            tensors.push_back(r);
        }
    }
    ASSERT_EQ(tensors.size(), 2u);
    EXPECT_EQ(tensors[0].length - tensors[0].prefix, storage.size());
    EXPECT_EQ(file.substr(tensors[0].offset + tensors[0].prefix, storage.size()), storage);
    EXPECT_EQ(tensors[1].type, ValueType::float32);
    EXPECT_EQ(tensors[1].length - tensors[1].prefix, 8000u);
}

TEST(Layout, NpyFileIsOneTensorAfterItsHeader) {
    const std::string file = test::npy_float32(test::float32_weights(4096));
    const auto layout = layout_of(file);
    EXPECT_EQ(layout.format, "npy");
    ASSERT_EQ(layout.regions.size(), 1u);
    EXPECT_EQ(layout.regions[0].prefix, 128u);
    EXPECT_EQ(layout.regions[0].type, ValueType::float32);
}

std::string gguf_string(const std::string& text) {
    std::string out;
    for (int i = 0; i < 8; ++i) {
        out += static_cast<char>(static_cast<std::uint64_t>(text.size()) >> (8 * i));
    }
    return out + text;
}

std::string le(std::uint64_t value, int width) {
    std::string out;
    for (int i = 0; i < width; ++i) {
        out += static_cast<char>(value >> (8 * i));
    }
    return out;
}

TEST(Layout, GgufTensorsFollowTheAlignedHeader) {
    std::string file = "GGUF" + le(3, 4) + le(2, 8) + le(2, 8);
    file += gguf_string("general.name") + le(8, 4) + gguf_string("tiny");
    file += gguf_string("tokenizer.tokens") + le(9, 4) + le(8, 4) + le(2, 8) + gguf_string("a") +
            gguf_string("bc");
    file += gguf_string("w") + le(1, 4) + le(256, 8) + le(0, 4) + le(0, 8);   // F32
    file += gguf_string("q") + le(1, 4) + le(64, 8) + le(2, 4) + le(1024, 8); // Q4_0
    file.resize((file.size() + 31) / 32 * 32, '\0');
    const std::uint64_t data = file.size();
    file += test::float32_weights(256);
    file += mv::test::random_bytes(36 * 2, 4);
    const auto layout = layout_of(file);
    EXPECT_EQ(layout.format, "gguf");
    expect_tiles(layout, file.size());
    ASSERT_EQ(layout.regions.size(), 3u);
    EXPECT_EQ(layout.regions[1].offset + layout.regions[1].prefix, data);
    EXPECT_EQ(layout.regions[1].type, ValueType::float32);
    EXPECT_EQ(layout.regions[2].offset, data + 1024);
    EXPECT_EQ(layout.regions[2].type, ValueType::unknown);
}

TEST(Layout, EmptyAndUnknownFiles) {
    EXPECT_TRUE(layout_of("").regions.empty());
    const auto pickle = layout_of(std::string("\x80\x04\x95", 3) + mv::test::random_bytes(1000));
    EXPECT_EQ(pickle.format, "opaque");
    ASSERT_EQ(pickle.regions.size(), 1u);
}

} // namespace
} // namespace mv::store
