// The S3 client against a real RADOS Gateway: every request kind, pagination, multipart
// uploads in parallel, the bandwidth limit, and the server checking our digests.
#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "s3/transfer_pool.hpp"
#include "tests/ceph/gateway.hpp"
#include "tests/lib/temp_dir.hpp"
#include "util/fd.hpp"

namespace mv::s3 {
namespace {

using test::GatewayTest;

UniqueFd open_file(const std::filesystem::path& path, int flags = O_RDONLY) {
    UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC, 0600));
    if (!fd) {
        throw std::runtime_error("cannot open " + path.string());
    }
    return fd;
}

class S3Client : public GatewayTest {};

TEST_F(S3Client, PutGetHeadDeleteRoundTrip) {
    // A stored object comes back whole and in ranges, and is gone once deleted.
    const std::string data = test::random_bytes(100000, 3);
    client().put("manifests/a b+c", memory_body(data));
    EXPECT_EQ(client().get("manifests/a b+c"), data);
    EXPECT_EQ(client().get("manifests/a b+c", ByteRange{1000, 10}), data.substr(1000, 10));
    const auto info = client().head("manifests/a b+c");
    ASSERT_TRUE(info);
    EXPECT_EQ(info->size, data.size());
    EXPECT_FALSE(info->etag.empty());

    client().remove("manifests/a b+c");
    EXPECT_FALSE(client().head("manifests/a b+c"));
    client().remove("manifests/a b+c"); // deleting twice is fine
}

TEST_F(S3Client, AnEmptyObjectIsAnObject) {
    client().put("empty", memory_body(""));
    EXPECT_EQ(client().get("empty"), "");
    EXPECT_EQ(client().head("empty")->size, 0u);
}

TEST_F(S3Client, GetRefusesAnObjectLargerThanTheCallerAccepts) {
    client().put("big", memory_body(std::string(5000, 'x')));
    try {
        client().get("big", std::nullopt, 1000);
        FAIL() << "a 5000-byte object was accepted with max_size 1000";
    } catch (const S3Error& error) {
        EXPECT_NE(std::string(error.what()).find("larger than"), std::string::npos) << error.what();
    }
}

TEST_F(S3Client, ListingPagesThroughEverythingBelowThePrefix) {
    // Seven objects under packs/, listed three at a time, come back all and in order,
    // without the location's prefix; a sibling of the prefix is not listed.
    for (int i = 0; i < 7; ++i) {
        client().put("packs/" + std::to_string(i), memory_body(std::string(i, 'x')));
    }
    client().put("manifests/m", memory_body("m"));
    Client outside(Location{location().endpoint, location().bucket, "", location().region},
                   gateway().credentials);
    outside.put("vault-sibling", memory_body("s"));

    std::vector<ListedObject> listed;
    client().list(
        "packs/", [&](const ListedObject& object) { listed.push_back(object); }, 3);
    ASSERT_EQ(listed.size(), 7u);
    for (int i = 0; i < 7; ++i) {
        EXPECT_EQ(listed[i].key, "packs/" + std::to_string(i));
        EXPECT_EQ(listed[i].size, static_cast<std::uint64_t>(i));
    }
    int everything = 0;
    client().list(
        "", [&](const ListedObject&) { ++everything; }, 2);
    EXPECT_EQ(everything, 8);
}

TEST_F(S3Client, LargeFilesGoUpInParallelParts) {
    // 13 MiB in 5 MiB parts on three connections: three parts, downloaded byte-exact.
    test::TempDir dir("s3multipart");
    const std::string data = test::random_bytes(13u << 20, 5);
    test::write_file(dir / "pack", data);
    TransferPool pool(location(), gateway().credentials, {}, 3);
    const UniqueFd fd = open_file(dir / "pack");
    upload_file(pool, "packs/big", fd.get(), data.size(), 5u << 20);

    EXPECT_EQ(client().head("packs/big")->size, data.size());
    // A multipart object's ETag is "<md5 of the parts' md5s>-<number of parts>".
    EXPECT_NE(client().head("packs/big")->etag.find("-3"), std::string::npos);
    const UniqueFd out = open_file(dir / "back", O_WRONLY | O_CREAT | O_TRUNC);
    EXPECT_EQ(client().download("packs/big", out.get()), data.size());
    EXPECT_EQ(test::read_file(dir / "back"), data);
}

TEST_F(S3Client, AnAbortedUploadLeavesNoObject) {
    const std::string upload = client().create_upload("packs/abandoned");
    client().upload_part("packs/abandoned", upload, 1, memory_body(std::string(1000, 'a')));
    client().abort_upload("packs/abandoned", upload);
    EXPECT_FALSE(client().head("packs/abandoned"));
    EXPECT_THROW(client().complete_upload("packs/abandoned", upload, {{1, "\"x\""}}), S3Error);
}

TEST_F(S3Client, TheBandwidthLimitHolds) {
    // The pool's 1 MiB/s is shared by its two connections: 1.5 MiB in one PUT takes about
    // 3 s at 512 KiB/s, never much less.
    test::TempDir dir("s3bandwidth");
    const std::string data = test::random_bytes(3u << 19, 9);
    test::write_file(dir / "pack", data);
    ClientOptions options;
    options.max_send_bytes_per_second = 1u << 20;
    TransferPool pool(location(), gateway().credentials, options, 2);
    const UniqueFd fd = open_file(dir / "pack");
    const auto start = std::chrono::steady_clock::now();
    upload_file(pool, "packs/slow", fd.get(), data.size(), 5u << 20);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2400));
    EXPECT_EQ(client().get("packs/slow"), data);
}

// How many bytes this process has read (rchar of /proc/self/io).
std::uint64_t bytes_read_by_this_process() {
    std::ifstream io("/proc/self/io");
    std::string name;
    std::uint64_t value = 0;
    while (io >> name >> value) {
        if (name == "rchar:") {
            return value;
        }
    }
    return 0;
}

TEST_F(S3Client, TheServerRefusesBytesThatDifferFromTheDigestsWeSent) {
    // The file changes after the client hashed it and before its end is sent (slowly):
    // the gateway must see other bytes than the signed digests describe and refuse them.
    test::TempDir dir("s3digest");
    const std::string data = test::random_bytes(4u << 20, 11);
    test::write_file(dir / "pack", data);
    ClientOptions options;
    options.max_send_bytes_per_second = 1u << 20;
    Client slow(location(), gateway().credentials, options);
    const UniqueFd fd = open_file(dir / "pack");
    const std::uint64_t before = bytes_read_by_this_process();
    std::jthread changer([&] {
        // The digest pass reads the whole file first; then the upload takes ~4 s.
        while (bytes_read_by_this_process() < before + data.size()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        const UniqueFd writer = open_file(dir / "pack", O_WRONLY);
        ASSERT_EQ(::pwrite(writer.get(), "CHANGED", 7, static_cast<off_t>(data.size() - 7)), 7);
    });
    try {
        slow.put("packs/changed", file_body(fd.get(), 0, data.size()));
        FAIL() << "the gateway stored bytes that do not match their digests";
    } catch (const S3Error& error) {
        EXPECT_EQ(error.kind(), FailureKind::checksum_mismatch) << error.what();
    }
    EXPECT_FALSE(client().head("packs/changed"));
}

} // namespace
} // namespace mv::s3
