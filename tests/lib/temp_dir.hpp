#pragma once
// A fresh directory per test, removed afterwards (kept when MV_KEEP_TEST_DIRS is set,
// to look at what a failing test left behind).

#include <filesystem>
#include <string>
#include <string_view>

namespace mv::test {

class TempDir {
public:
    /// Creates $TMPDIR/mv-test-<name>-XXXXXX.
    explicit TempDir(std::string_view name = "t");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::filesystem::path& relative) const {
        return m_path / relative;
    }

private:
    std::filesystem::path m_path;
};

/// Writes `content` to `path` (creating parent directories) with a plain open/write/close.
void write_file(const std::filesystem::path& path, std::string_view content);

/// Reads the whole file; fails the test (throws) when it cannot.
std::string read_file(const std::filesystem::path& path);

/// `size` bytes of deterministic pseudo-random data (incompressible), from `seed`.
std::string random_bytes(std::size_t size, unsigned seed = 1);

} // namespace mv::test
