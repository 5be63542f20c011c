// docs/FORMAT.md is complete: scripts/mv_read.py, written from it with Python's standard
// library and the zstd command only, restores every version byte for byte.
#include <gtest/gtest.h>

#include "tests/lib/fake_clock.hpp"
#include "tests/lib/process.hpp"
#include "tests/lib/temp_dir.hpp"
#include "vault/vault.hpp"

namespace mv::vault {
namespace {

std::string le(std::uint64_t value, int width) {
    std::string out;
    for (int i = 0; i < width; ++i) {
        out += static_cast<char>(value >> (8 * i));
    }
    return out;
}

// A safetensors file with a float32 and a bfloat16 tensor (byte-grouped chunks).
std::string safetensors(std::size_t values, unsigned seed) {
    std::string f32 = test::random_bytes(values * 4, seed);
    for (std::size_t i = 3; i < f32.size(); i += 4) {
        f32[i] = static_cast<char>(0x3c + (f32[i] & 1)); // exponents of small weights
    }
    const std::string bf16 = f32.substr(0, values);
    const std::string header =
        R"({"a":{"dtype":"F32","shape":[)" + std::to_string(values) + R"(],"data_offsets":[0,)" +
        std::to_string(f32.size()) + R"(]},"b":{"dtype":"BF16","shape":[)" +
        std::to_string(bf16.size() / 2) + R"(],"data_offsets":[)" + std::to_string(f32.size()) +
        "," + std::to_string(f32.size() + bf16.size()) + "]}}";
    return le(header.size(), 8) + header + f32 + bf16;
}

TEST(PythonReader, RestoresEveryVersionByteExact) {
    test::TempDir dir("pyreader");
    test::FakeClock clock;
    auto vault = Vault::open({dir / "vault", {}, true, "h"}, clock);
    const std::vector<std::pair<std::string, std::string>> files = {
        {"model.safetensors", safetensors(300000, 1)},
        {"odd name \xff.pkl", std::string("\x80\x04", 2) + std::string(700000, 'x') + "."},
        {"sub/noise.bin", test::random_bytes(1 << 20, 9)},
        {"empty.pt", ""}};
    NewVersion request;
    request.model = {"w", ""};
    for (const auto& [name, content] : files) {
        test::write_file(dir / "models" / name, content);
        request.files.push_back(SourceFile::beneath(dir / "models", name, name));
    }
    const Manifest first = vault->write_version(request, {}).manifest;
    // A second version that shares most chunks.
    test::write_file(dir / "models/model.safetensors", safetensors(300000, 2));
    const Manifest second = vault->write_version(request, {}).manifest;
    ASSERT_EQ(second.version.to_string(), "1.0.1");
    const auto script = std::filesystem::path(MV_SOURCE_DIR) / "scripts/mv_read.py";
    const auto check = test::run({"python3", script.string(), (dir / "vault").string(), "check"});
    ASSERT_EQ(check.exit_code, 0) << check.err;
    const auto list = test::run({"python3", script.string(), (dir / "vault").string(), "list"});
    EXPECT_NE(list.out.find("w\t1.0.1"), std::string::npos) << list.out;
    const auto out = dir / "restored";
    const auto restored = test::run(
        {"python3", script.string(), (dir / "vault").string(), "restore", "w@1.0.0", out.string()});
    ASSERT_EQ(restored.exit_code, 0) << restored.err;
    for (const auto& [name, content] : files) {
        EXPECT_EQ(test::read_file(out / name), content) << name;
    }
    EXPECT_NE(test::read_file(out / "model.safetensors"),
              test::read_file(dir / "models/model.safetensors"));
    // A damaged pack is named, not restored from.
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir / "vault/packs")) {
        if (e.is_regular_file()) {
            std::filesystem::resize_file(e.path(), e.file_size() - 1);
            break;
        }
    }
    const auto bad = test::run({"python3", script.string(), (dir / "vault").string(), "check"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("does not hash to its name"), std::string::npos) << bad.err;
}

} // namespace
} // namespace mv::vault
