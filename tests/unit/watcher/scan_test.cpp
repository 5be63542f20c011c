#include <filesystem>

#include <gtest/gtest.h>

#include "tests/lib/temp_dir.hpp"
#include "util/error.hpp"
#include "watcher/scan.hpp"

namespace mv::watcher {
namespace {

namespace stdfs = std::filesystem;
using Strings = std::vector<std::string>;

// A training folder with everything the filters must sort out.
class WatcherScanTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto& root = m_root;
        test::write_file(root / "a.pkl", "a");
        test::write_file(root / "notes.txt", "n");
        test::write_file(root / "tmp_x.pkl", "t");
        test::write_file(root / ".git/objects/x.pkl", "g");
        test::write_file(root / "sub/b.pt", "b");
        test::write_file(root / "sub/deep/c.onnx", "c");
        test::write_file(root / "sub/deep/c.onnx.partial", "p");
        test::write_file(root / "with space.pkl", "s");
        test::write_file(root / "new\nline.pkl", "l");
        test::write_file(root / "bad\xff\xfe.pkl", "x");
        // Symlinks are never followed, neither to files nor to folders.
        test::write_file(m_outside / "elsewhere/m.pkl", "e");
        stdfs::create_symlink(root / "a.pkl", root / "link.pkl");
        stdfs::create_directory_symlink(m_outside / "elsewhere", root / "linkdir");
        m_watch.name = "lab";
        m_watch.path = root;
    }

    test::TempDir m_dir{"scan"};
    stdfs::path m_root = m_dir / "root";
    stdfs::path m_outside = m_dir / "outside";
    config::Watch m_watch;
};

TEST_F(WatcherScanTest, ListsModelFilesRecursively) {
    const Strings expected{"a.pkl",    "bad\xff\xfe.pkl", "new\nline.pkl",
                           "sub/b.pt", "sub/deep/c.onnx", "with space.pkl"};
    EXPECT_EQ(list_models(m_watch), expected);
}

TEST_F(WatcherScanTest, NonRecursiveListsOnlyTheRoot) {
    m_watch.recursive = false;
    const Strings expected{"a.pkl", "bad\xff\xfe.pkl", "new\nline.pkl", "with space.pkl"};
    EXPECT_EQ(list_models(m_watch), expected);
}

TEST_F(WatcherScanTest, IncludeAndExcludeAreHonoured) {
    m_watch.include = {"*.pt", "*.onnx"};
    m_watch.exclude = {"deep"};
    EXPECT_EQ(list_models(m_watch), Strings{"sub/b.pt"});
}

TEST_F(WatcherScanTest, FilesLayoutModelIsItsOwnFile) {
    EXPECT_EQ(list_model_files(m_watch, "sub/b.pt"), Strings{"sub/b.pt"});
}

TEST_F(WatcherScanTest, DirectoryLayoutIsOneModelWithEveryNonExcludedFile) {
    m_watch.layout = config::Layout::directory;
    m_watch.recursive = false; // the whole tree is the model regardless
    EXPECT_EQ(list_models(m_watch), Strings{""});
    // include does not apply; exclude does; symlinks are not files of the model.
    const Strings expected{"a.pkl",    "bad\xff\xfe.pkl", "new\nline.pkl", "notes.txt",
                           "sub/b.pt", "sub/deep/c.onnx", "with space.pkl"};
    EXPECT_EQ(list_model_files(m_watch, ""), expected);
}

TEST_F(WatcherScanTest, ADistributedCheckpointKeepsItsHiddenMetadataFile) {
    // torch.distributed.checkpoint completes a folder with ".metadata": ".*" in the
    // default exclude must not drop it (the folder is useless without it).
    test::write_file(m_root / "dcp/__0_0.distcp", "shard");
    test::write_file(m_root / "dcp/.metadata", "index");
    test::write_file(m_root / "dcp/.metadata.tmp", "being written");
    m_watch.path = m_root / "dcp";
    m_watch.layout = config::Layout::directory;
    EXPECT_EQ(list_model_files(m_watch, ""), (Strings{".metadata", "__0_0.distcp"}));
    // Not a model file of its own in a files watch, though.
    m_watch.layout = config::Layout::files;
    m_watch.include = {};
    EXPECT_EQ(list_models(m_watch), Strings{"__0_0.distcp"});
}

TEST_F(WatcherScanTest, MissingRootHasNoModels) {
    m_watch.path = m_dir / "not-there";
    EXPECT_TRUE(list_models(m_watch).empty());
    m_watch.layout = config::Layout::directory;
    EXPECT_TRUE(list_models(m_watch).empty());
    EXPECT_TRUE(list_model_files(m_watch, "").empty());
}

TEST_F(WatcherScanTest, RootThatIsAFileHasNoModels) {
    m_watch.path = m_root / "a.pkl";
    EXPECT_TRUE(list_models(m_watch).empty());
}

TEST_F(WatcherScanTest, WalkVisitsDirectoriesBeforeTheirFilesAndCanSkipThem) {
    Strings seen;
    auto walked = walk_tree(
        m_watch, "sub", Recursion::yes,
        [&](const std::string& dir) {
            seen.push_back("dir:" + dir);
            return dir != "sub/deep";
        },
        [&](const std::string& file) { seen.push_back("file:" + file); });
    ASSERT_TRUE(walked) << walked.error();
    EXPECT_EQ(seen, (Strings{"dir:sub", "file:sub/b.pt", "dir:sub/deep"}));
}

TEST_F(WatcherScanTest, WalkFailsWhenItsStartCannotBeRead) {
    auto walked = walk_tree(m_watch, "nope", Recursion::yes, nullptr, nullptr);
    ASSERT_FALSE(walked);
    EXPECT_NE(walked.error().find("nope"), std::string::npos) << walked.error();
}

} // namespace
} // namespace mv::watcher
