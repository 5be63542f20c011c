#include <gtest/gtest.h>

#include "daemon/compare_table.hpp"

namespace mv::daemon {
namespace {

using nlohmann::json;

vault::Manifest version(json params, json metrics, std::vector<std::string> chunks) {
    vault::Manifest m;
    m.params = std::move(params);
    m.metrics = std::move(metrics);
    vault::FileEntry file;
    for (const auto& name : chunks) {
        store::ChunkId id{};
        std::copy(name.begin(), name.end(), id.bytes.begin());
        file.chunks.push_back({id, 100u * name.size()});
        file.size += 100u * name.size();
    }
    m.files.push_back(file);
    return m;
}

const CompareRow* row(const std::vector<CompareRow>& rows, const std::string& section,
                      const std::string& key) {
    for (const auto& r : rows) {
        if (r.section == section && r.key == key) {
            return &r;
        }
    }
    return nullptr;
}

TEST(CompareTable, EveryKeyOfEveryVersionWithWhatDiffers) {
    const std::vector<vault::Manifest> versions = {
        version({{"algorithm", "dqn"}, {"net", {{"layers", 3}}}}, {{"win_rate", 0.5}}, {"a"}),
        version({{"algorithm", "dqn"}, {"net", {{"layers", 4}}}}, {{"win_rate", 0.5}}, {"a"}),
        version({{"algorithm", "dqn"}}, {{"win_rate", 0.5}, {"loss", 0.1}}, {"a"})};
    const auto rows = compare_rows(versions, {{"best"}, {}, {}});
    ASSERT_TRUE(row(rows, "params", "algorithm"));
    EXPECT_FALSE(row(rows, "params", "algorithm")->differs);
    const auto* layers = row(rows, "params", "net.layers");
    ASSERT_TRUE(layers);
    EXPECT_TRUE(layers->differs);
    EXPECT_EQ(layers->values, (std::vector<json>{3, 4, nullptr}));
    EXPECT_FALSE(row(rows, "metrics", "win_rate")->differs);
    EXPECT_TRUE(row(rows, "metrics", "loss")->differs); // recorded by one version only
    EXPECT_TRUE(row(rows, "version", "tags")->differs);
    EXPECT_FALSE(row(rows, "version", "size")->differs);
    EXPECT_EQ(rows.front().section, "version"); // properties first
}

TEST(CompareTable, SharedBytesCountChunksAllVersionsHoldOnce) {
    // Chunk "bb" (200 bytes) is in all three; "a" only in two; "ccc" in one.
    const std::vector<vault::Manifest> versions = {version({}, {}, {"a", "bb", "bb"}),
                                                   version({}, {}, {"bb", "a"}),
                                                   version({}, {}, {"ccc", "bb"})};
    EXPECT_EQ(bytes_shared_by_all(versions), 200u);
    EXPECT_EQ(bytes_shared_by_all({versions[0], versions[1]}), 300u);
    EXPECT_EQ(bytes_shared_by_all({}), 0u);
}

} // namespace
} // namespace mv::daemon
