// The audit log file: appends that readers see at once, rotation that bounds its size,
// reading the newest matching records across rotated files, and a torn last line.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/log.hpp"
#include "tests/lib/temp_dir.hpp"

namespace mv::audit {
namespace {

AuditRecord record(int n, const std::string& user = "alice") {
    return {SystemTime(std::chrono::seconds(1795000000 + n)),
            1000,
            user,
            1,
            "backup",
            "lab/m" + std::to_string(n) + ".pkl",
            "ok",
            "",
            "socket"};
}

std::vector<std::string> targets(const std::vector<AuditRecord>& records) {
    std::vector<std::string> result;
    for (const auto& r : records) {
        result.push_back(r.target);
    }
    return result;
}

TEST(AuditLog, AppendedRecordsAreReadBackNewestLimitOldestFirst) {
    test::TempDir dir("audit");
    AuditLog log(dir / "audit.jsonl");
    for (int n = 0; n < 5; ++n) {
        log.append(record(n, n % 2 == 0 ? "alice" : "bob"));
    }
    EXPECT_THAT(targets(log.read({}, 3)),
                ::testing::ElementsAre("lab/m2.pkl", "lab/m3.pkl", "lab/m4.pkl"));
    EXPECT_THAT(targets(log.read({std::nullopt, "bob"}, 100)),
                ::testing::ElementsAre("lab/m1.pkl", "lab/m3.pkl"));
    EXPECT_EQ(std::filesystem::status(dir / "audit.jsonl").permissions() &
                  std::filesystem::perms::others_all,
              std::filesystem::perms::none);
}

TEST(AuditLog, RotationKeepsTheSizeBoundedAndTheNewestRecords) {
    test::TempDir dir("audit");
    const std::size_t line = to_line(record(0)).size();
    {
        AuditLog log(dir / "audit.jsonl", 3 * line, 2); // three records per file, two old files
        for (int n = 0; n < 20; ++n) {
            log.append(record(n));
        }
        // 20 records: the current file and two rotated ones hold the last 9 at most.
        const auto all = log.read({}, 100);
        EXPECT_LE(all.size(), 9u);
        EXPECT_EQ(all.back().target, "lab/m19.pkl");
    }
    EXPECT_TRUE(std::filesystem::exists(dir / "audit.jsonl.1"));
    EXPECT_TRUE(std::filesystem::exists(dir / "audit.jsonl.2"));
    EXPECT_FALSE(std::filesystem::exists(dir / "audit.jsonl.3"));
    std::uintmax_t total = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        total += entry.file_size();
    }
    EXPECT_LE(total, 9 * line);
}

TEST(AuditLog, ATornLastLineDoesNotSwallowTheNextRecord) {
    test::TempDir dir("audit");
    const std::string whole = to_line(record(1));
    test::write_file(dir / "audit.jsonl", whole + whole.substr(0, 20));
    AuditLog log(dir / "audit.jsonl");
    log.append(record(2));
    EXPECT_THAT(targets(log.read({}, 100)), ::testing::ElementsAre("lab/m1.pkl", "lab/m2.pkl"));
}

} // namespace
} // namespace mv::audit
