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

TEST(ModelFormat, CompressedPicklesAsJoblibAndPythonWriteThem) {
    // joblib.dump(obj, name, compress=...) picks the codec from the name (.z .gz .bz2 .xz
    // .lzma) or writes it under .joblib; these are the bytes Python's own modules write.
    test::TempDir dir("fmt");
    const auto made =
        test::sh("cd '" + dir.path().string() +
                 "' && python3 -c \"import pickle, zlib, gzip, bz2, lzma\n"
                 "p = pickle.dumps(list(range(1000)), protocol=4)\n"
                 "open('a.pkl.z', 'wb').write(zlib.compress(p))\n"
                 "open('a.pkl.gz', 'wb').write(gzip.compress(p))\n"
                 "open('a.pkl.bz2', 'wb').write(bz2.compress(p))\n"
                 "open('a.pkl.xz', 'wb').write(lzma.compress(p, format=lzma.FORMAT_XZ))\n"
                 "open('a.pkl.lzma', 'wb').write(lzma.compress(p, format=lzma.FORMAT_ALONE))\n"
                 "open('xz.joblib', 'wb').write(lzma.compress(p, format=lzma.FORMAT_XZ))\n"
                 "open('lzma.joblib', 'wb').write(lzma.compress(p, format=lzma.FORMAT_ALONE))\n"
                 "open('gz.joblib', 'wb').write(gzip.compress(p))\n\"");
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const std::pair<const char*, const char*> expected[] = {
        {"a.pkl.z", "zlib"},     {"a.pkl.gz", "gzip"},   {"a.pkl.bz2", "bzip2"},
        {"a.pkl.xz", "xz"},      {"a.pkl.lzma", "lzma"}, {"xz.joblib", "xz"},
        {"lzma.joblib", "lzma"}, {"gz.joblib", "gzip"}};
    for (const auto& [name, format] : expected) {
        UniqueFd fd(::open((dir / name).c_str(), O_RDONLY));
        const auto detected = detect_format(fd.get(), name);
        EXPECT_EQ(detected.format, format) << name;
        EXPECT_TRUE(detected.matches_extension) << name;
    }
    // A compressed name whose content is something else is still flagged.
    test::write_file(dir / "b.pkl.gz", std::string("\x80\x04\x95 plain pickle."));
    UniqueFd plain(::open((dir / "b.pkl.gz").c_str(), O_RDONLY));
    EXPECT_FALSE(detect_format(plain.get(), "b.pkl.gz").matches_extension);
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

TEST_F(StructureTest, XzNeedsItsFooter) {
    const auto made = test::sh("cd '" + dir.path().string() +
                               "' && head -c 100000 /dev/urandom | xz -c > whole.xz");
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const std::string xz = test::read_file(dir / "whole.xz");
    EXPECT_TRUE(check("m.joblib", xz).complete);
    const auto cut = check("m.joblib", xz.substr(0, xz.size() - 5));
    EXPECT_FALSE(cut.complete);
    EXPECT_EQ(cut.problem, "the xz stream has no footer yet");
}

TEST_F(StructureTest, FormatsWithoutACheckAreComplete) {
    EXPECT_TRUE(check("notes.bin", "whatever").complete);
    EXPECT_TRUE(check("weights.npy", "\x93NUMPY\x01\x00 data").complete);
}

// An HDF5 file: `user_block` bytes, a superblock of `version` whose end-of-file address
// (relative to the base, which is where the signature is) is `end`, then zeros up to
// `size` bytes in all.
std::string hdf5_bytes(int version, std::uint64_t end, std::size_t size, std::size_t user_block = 0,
                       int flags = 0) {
    std::string sb = "\x89HDF\r\n\x1a\n";
    const auto address = [&](std::uint64_t value) {
        for (int i = 0; i < 8; ++i) {
            sb += static_cast<char>((value >> (8 * i)) & 0xff);
        }
    };
    if (version == 0) {
        sb += std::string{'\0', '\0', '\0', '\0', '\0', '\x08', '\x08', '\0'};
        sb += std::string(8, '\0'); // B-tree K values, consistency flags
        address(user_block);        // base address
        address(~0ull);             // free space
        address(end);               // end of file
        address(~0ull);             // driver information
    } else {
        sb += static_cast<char>(version);
        sb += std::string{'\x08', '\x08', static_cast<char>(flags)};
        address(user_block); // base address
        address(~0ull);      // superblock extension
        address(end);        // end of file
        address(96);         // root group object header
    }
    std::string bytes = std::string(user_block, 'u') + sb;
    bytes.resize(std::max(size, bytes.size() + 40), '\0');
    return bytes;
}

TEST_F(StructureTest, Hdf5MustReachTheEndItsSuperblockRecords) {
    EXPECT_TRUE(check("a.h5", hdf5_bytes(0, 4096, 4096)).complete);
    EXPECT_TRUE(check("b.h5", hdf5_bytes(2, 8192, 8192)).complete);
    EXPECT_TRUE(check("c.h5", hdf5_bytes(0, 4096, 4096 + 512, 512)).complete);
    // Copied in pieces: the superblock already says how long the file will be.
    const auto cut = check("d.h5", hdf5_bytes(0, 1 << 20, 64 << 10));
    EXPECT_FALSE(cut.complete);
    EXPECT_NE(cut.problem.find("says the data ends at byte 1048576, the file has 65536"),
              std::string::npos)
        << cut.problem;
    EXPECT_FALSE(check("e.h5", hdf5_bytes(2, 4096 + 512, 4096 + 511, 512)).complete);
    // Version 3 marks a file a writer still has open.
    EXPECT_TRUE(check("f.h5", hdf5_bytes(3, 4096, 4096)).complete);
    const auto open = check("g.h5", hdf5_bytes(3, 4096, 4096, 0, 0x01));
    EXPECT_FALSE(open.complete);
    EXPECT_NE(open.problem.find("still open for writing"), std::string::npos) << open.problem;
    EXPECT_FALSE(check("h.h5", "\x89HDF\r\n\x1a\nrest").complete);
}

TEST_F(StructureTest, TorchCheckpointsAreZipsOrPickles) {
    // Lightning's .ckpt and torch.save's .pt are zip archives; bytes that are neither are
    // a checkpoint whose beginning is not there yet.
    const auto unknown = check("epoch=1-step=10.ckpt", "random bytes, no magic");
    EXPECT_FALSE(unknown.complete);
    EXPECT_NE(unknown.problem.find("is a zip archive or a pickle"), std::string::npos)
        << unknown.problem;
    EXPECT_FALSE(check("model.pt", "").complete);
    EXPECT_TRUE(check("notes.txt", "random bytes, no magic").complete);
}

TEST(FolderStructure, SavedModelAndDcpFoldersNeedTheFileTheirWriterWritesLast) {
    EXPECT_TRUE(check_folder({"saved_model.pb", "variables/variables.index"}).complete);
    const auto savedmodel = check_folder({"variables/variables.index", "assets/vocab.txt"});
    EXPECT_FALSE(savedmodel.complete);
    EXPECT_NE(savedmodel.problem.find("saved_model.pb"), std::string::npos) << savedmodel.problem;
    EXPECT_TRUE(check_folder({".metadata", "__0_0.distcp", "__1_0.distcp"}).complete);
    const auto dcp = check_folder({"__0_0.distcp", "__1_0.distcp"});
    EXPECT_FALSE(dcp.complete);
    EXPECT_NE(dcp.problem.find(".metadata"), std::string::npos) << dcp.problem;
    EXPECT_TRUE(check_folder({"config.json", "model.safetensors"}).complete);
}

TEST(FolderStructure, DcpFoldersNestedInACheckpointAndSavedWithoutCollectives) {
    // Hugging Face with FSDP: accelerate writes DCP folders inside checkpoint-N/.
    const std::vector<std::string> fsdp = {
        "trainer_state.json", "pytorch_model_fsdp_0/__0_0.distcp",
        "pytorch_model_fsdp_0/__1_0.distcp", "optimizer_0/__0_0.distcp", "optimizer_0/.metadata"};
    const auto waiting = check_folder(fsdp);
    EXPECT_FALSE(waiting.complete);
    EXPECT_NE(waiting.problem.find("pytorch_model_fsdp_0/"), std::string::npos) << waiting.problem;
    auto done = fsdp;
    done.push_back("pytorch_model_fsdp_0/.metadata");
    EXPECT_TRUE(check_folder(done).complete) << check_folder(done).problem;
    // use_collectives=False: no .metadata, one __<rank>.metadata per rank, each needed.
    EXPECT_FALSE(check_folder({"__0_0.distcp", "__1_0.distcp", "__0.metadata"}).complete);
    EXPECT_TRUE(
        check_folder({"__0_0.distcp", "__1_0.distcp", "__0.metadata", "__1.metadata"}).complete);
    // A .distcp file whose name carries no rank needs .metadata.
    EXPECT_FALSE(check_folder({"weights.distcp", "__0.metadata"}).complete);
}

TEST_F(StructureTest, AZipCutAfterAStoredInnerZipIsNotComplete) {
    // Stable-Baselines3 stores torch's own zip (policy.pth) uncompressed in its zip: cut
    // right after it, the file ends with the inner zip's end record.
    test::write_file(dir / "payload.txt", std::string(5000, 'x'));
    const auto made = test::sh(
        "cd '" + dir.path().string() +
        "' && python3 -c \"import zipfile; "
        "i=zipfile.ZipFile('inner.zip','w'); i.write('payload.txt'); i.close(); "
        "o=zipfile.ZipFile('outer.zip','w'); o.writestr('data', 'x'*100); "
        "o.write('inner.zip', 'policy.pth'); o.writestr('_stable_baselines3_version', '2.3'); "
        "o.close()\"");
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const std::string inner = test::read_file(dir / "inner.zip");
    const std::string outer = test::read_file(dir / "outer.zip");
    const auto inner_at = outer.find(inner);
    ASSERT_NE(inner_at, std::string::npos);
    EXPECT_TRUE(check("rl_model_100_steps.zip", outer).complete);
    const auto cut = check("rl_model_200_steps.zip", outer.substr(0, inner_at + inner.size()));
    EXPECT_FALSE(cut.complete);
    EXPECT_NE(cut.problem.find("central directory"), std::string::npos) << cut.problem;
}

} // namespace
} // namespace mv::vault
