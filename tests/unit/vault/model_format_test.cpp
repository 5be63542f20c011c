#include <fcntl.h>

#include <gtest/gtest.h>

#include "tests/lib/temp_dir.hpp"
#include "util/fd.hpp"
#include "vault/model_format.hpp"

namespace mv::vault {
namespace {

std::string safetensors_bytes() {
    const std::string header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) {
        bytes[static_cast<std::size_t>(i)] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
    }
    return bytes + header + std::string(8, '\x01');
}

TEST(ModelFormat, RecognisesMagicBytes) {
    EXPECT_EQ(format_from_header("\x89HDF\r\n\x1a\n....", 100), "hdf5");
    EXPECT_EQ(format_from_header(std::string("\x80\x04\x95", 3), 100), "pickle");
    EXPECT_EQ(format_from_header("GGUF\x03", 100), "gguf");
    EXPECT_EQ(format_from_header("\x93NUMPY\x01", 100), "numpy");
    EXPECT_EQ(format_from_header(safetensors_bytes(), safetensors_bytes().size()), "safetensors");
    EXPECT_EQ(format_from_header("plain text", 10), "unknown");
}

TEST(ModelFormat, TellsZipFlavours) {
    const auto local_header = [](std::string name) {
        std::string h = "PK\x03\x04";
        h += std::string(22, '\0');
        h += static_cast<char>(name.size());
        h += '\0';
        h += std::string(2, '\0'); // extra field length
        return h + name;
    };
    EXPECT_EQ(format_from_header(local_header("model/data.pkl"), 1000), "pytorch-zip");
    EXPECT_EQ(format_from_header(local_header("metadata.json"), 1000), "keras-v3");
    EXPECT_EQ(format_from_header(local_header("weights.bin"), 1000), "zip");
}

TEST(ModelFormat, FlagsContentThatContradictsTheExtension) {
    test::TempDir dir("fmt");
    test::write_file(dir / "model.h5", std::string("\x80\x04\x95 pickle pretending", 20));
    test::write_file(dir / "model.pkl", std::string("\x80\x04\x95 real pickle", 15));
    test::write_file(dir / "weights.safetensors", safetensors_bytes());
    UniqueFd h5(::open((dir / "model.h5").c_str(), O_RDONLY));
    UniqueFd pkl(::open((dir / "model.pkl").c_str(), O_RDONLY));
    UniqueFd st(::open((dir / "weights.safetensors").c_str(), O_RDONLY));
    const auto wrong = detect_format(h5.get(), "model.h5");
    EXPECT_EQ(wrong.format, "pickle");
    EXPECT_FALSE(wrong.matches_extension);
    EXPECT_TRUE(detect_format(pkl.get(), "model.pkl").matches_extension);
    EXPECT_EQ(detect_format(st.get(), "weights.safetensors").format, "safetensors");
}

} // namespace
} // namespace mv::vault
