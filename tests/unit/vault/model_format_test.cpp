#include <fcntl.h>

#include <gtest/gtest.h>

#include "tests/lib/process.hpp"
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

TEST(ModelFormat, TellsProtobufFilesApartByName) {
    test::TempDir dir("fmt");
    const std::string protobuf("\x08\x07\x12\x04", 4);
    for (const char* name : {"model.onnx", "saved_model.pb", "other.pb"}) {
        test::write_file(dir / name, protobuf);
    }
    const auto format_of = [&](const char* name) {
        UniqueFd fd(::open((dir / name).c_str(), O_RDONLY));
        return detect_format(fd.get(), std::string("sub/") + name).format;
    };
    EXPECT_EQ(format_of("model.onnx"), "onnx");
    EXPECT_EQ(format_of("saved_model.pb"), "savedmodel");
    EXPECT_EQ(format_of("other.pb"), "protobuf");
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

namespace mv::vault {
namespace {

class StructureTest : public ::testing::Test {
protected:
    StructureCheck check(const std::string& name, const std::string& bytes) {
        test::write_file(dir / name, bytes);
        UniqueFd fd(::open((dir / name).c_str(), O_RDONLY));
        return check_structure(fd.get(), detect_format(fd.get(), name).format, name);
    }
    test::TempDir dir{"structure"};
};

TEST_F(StructureTest, SafetensorsMustEndWhereTheHeaderSays) {
    const std::string whole = safetensors_bytes();
    EXPECT_TRUE(check("w.safetensors", whole).complete);
    const auto cut = check("w.safetensors", whole.substr(0, whole.size() - 3));
    EXPECT_FALSE(cut.complete);
    EXPECT_NE(cut.problem.find("should end at byte"), std::string::npos) << cut.problem;
    EXPECT_FALSE(check("w.safetensors", whole.substr(0, 20)).complete);
}

TEST_F(StructureTest, ZipNeedsItsEndRecord) {
    // A real zip made by the system's tools is complete; without its tail it is not.
    test::write_file(dir / "payload.txt", std::string(5000, 'x'));
    const auto made =
        test::sh("cd '" + dir.path().string() +
                 "' && python3 -c \"import zipfile; "
                 "z=zipfile.ZipFile('m.zip','w'); z.write('payload.txt'); z.close()\"");
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const std::string zip = test::read_file(dir / "m.zip");
    EXPECT_TRUE(check("model.zip", zip).complete);
    EXPECT_FALSE(check("model.zip", zip.substr(0, zip.size() - 10)).complete);
    EXPECT_FALSE(check("model.zip", zip.substr(0, zip.size() / 2)).complete);
}

TEST_F(StructureTest, PickleNeedsItsStopOpcode) {
    EXPECT_TRUE(check("m.pkl", std::string("\x80\x04\x95", 3) + "data.").complete);
    EXPECT_FALSE(check("m.pkl", std::string("\x80\x04\x95", 3) + "data").complete);
    // A legacy torch.save file ends with raw storage bytes: no STOP check.
    EXPECT_TRUE(check("m.pt", std::string("\x80\x02\x8a", 3) + "raw").complete);
}

TEST_F(StructureTest, FormatsWithoutACheckAreComplete) {
    EXPECT_TRUE(check("m.h5", "\x89HDF\r\n\x1a\nrest").complete);
    EXPECT_TRUE(check("notes.bin", "whatever").complete);
}

} // namespace
} // namespace mv::vault
