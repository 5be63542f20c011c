// Which files travel with a version as sidecars: templates, globs, folders kept, limits.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/sidecars.hpp"
#include "tests/lib/temp_dir.hpp"

namespace mv::daemon {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class SidecarsTest : public ::testing::Test {
protected:
    config::Watch watch_with(std::vector<std::string> sidecars) {
        config::Watch watch;
        watch.name = "w";
        watch.path = dir.path();
        watch.sidecars = std::move(sidecars);
        return watch;
    }
    // "relative → stored_as" for each sidecar found for model `model`.
    std::vector<std::string> found(const std::vector<std::string>& sidecars,
                                   const std::string& model = "agents/dqn.pkl") {
        std::vector<std::string> lines;
        for (const auto& f : find_sidecars(watch_with(sidecars), model, {model}).files) {
            lines.push_back(f.relative + " → " + f.stored_as);
        }
        return lines;
    }

    test::TempDir dir{"sidecars"};
};

TEST_F(SidecarsTest, FoldersBelowTheModelsFolderAreKept) {
    test::write_file(dir / "agents/dqn.pkl", "model");
    test::write_file(dir / "agents/logs/train.log", "a");
    test::write_file(dir / "agents/train.log", "b");
    test::write_file(dir / "agents/dqn.metrics.json", "{}");
    EXPECT_THAT(found({"logs/train.log", "train.log", "{stem}.metrics.json"}),
                ElementsAre("agents/logs/train.log → logs/train.log",
                            "agents/train.log → train.log",
                            "agents/dqn.metrics.json → dqn.metrics.json"));
}

TEST_F(SidecarsTest, GlobsMatchWithinOneFolderInNameOrder) {
    test::write_file(dir / "agents/dqn.pkl", "model");
    test::write_file(dir / "agents/logs/b.log", "b");
    test::write_file(dir / "agents/logs/a.log", "a");
    test::write_file(dir / "agents/logs/.hidden.log", "h"); // * skips a leading dot
    test::write_file(dir / "agents/logs/old/c.log", "c");   // * stays in its folder
    test::write_file(dir / "agents/logs/notes.txt", "n");
    test::write_file(dir / "agents/runs/1/eval.json", "1");
    test::write_file(dir / "agents/runs/2/eval.json", "2");
    EXPECT_THAT(found({"logs/*.log", "runs/?/eval.json"}),
                ElementsAre("agents/logs/a.log → logs/a.log", "agents/logs/b.log → logs/b.log",
                            "agents/runs/1/eval.json → runs/1/eval.json",
                            "agents/runs/2/eval.json → runs/2/eval.json"));
}

TEST_F(SidecarsTest, TheModelAndFilesNamedTwiceAreLeftOut) {
    test::write_file(dir / "agents/dqn.pkl", "model");
    test::write_file(dir / "agents/config.json", "{}");
    EXPECT_THAT(found({"*", "config.json", "{name}"}),
                ElementsAre("agents/config.json → config.json"));
}

TEST_F(SidecarsTest, SymlinksFoldersAndMissingFilesAreNotSidecars) {
    test::write_file(dir / "agents/dqn.pkl", "model");
    test::write_file(dir / "secret.txt", "no");
    std::filesystem::create_symlink(dir / "secret.txt", dir / "agents/link.txt");
    std::filesystem::create_directories(dir / "agents/folder.txt");
    std::filesystem::create_directories(dir / "outside");
    test::write_file(dir / "outside/x.log", "x");
    std::filesystem::create_directory_symlink(dir / "outside", dir / "agents/logs");
    EXPECT_THAT(found({"link.txt", "*.txt", "missing.json", "logs/*.log", "logs/x.log"}),
                IsEmpty());
}

TEST_F(SidecarsTest, PlaceholderValuesAreNotGlobs) {
    // A model named with glob characters: "{stem}.json" is that one name.
    test::write_file(dir / "run[1].pkl", "model");
    test::write_file(dir / "run[1].json", "{}");
    test::write_file(dir / "run1.json", "{}");
    EXPECT_THAT(found({"{stem}.json"}, "run[1].pkl"), ElementsAre("run[1].json → run[1].json"));
    EXPECT_THAT(found({"{stem}*.json"}, "run[1].pkl"), ElementsAre("run[1].json → run[1].json"));
}

TEST_F(SidecarsTest, LayoutDirectoryIsRelativeToTheWatch) {
    test::write_file(dir / "weights/model.safetensors", "model");
    test::write_file(dir / "logs/train.log", "log");
    const auto selection =
        find_sidecars(watch_with({"logs/*.log"}), "", {"weights/model.safetensors"});
    ASSERT_EQ(selection.files.size(), 1u);
    EXPECT_EQ(selection.files[0].relative, "logs/train.log");
    EXPECT_EQ(selection.files[0].stored_as, "logs/train.log");
}

TEST_F(SidecarsTest, AGlobKeepsAtMostTheLimitAndSaysWhatItLeftOut) {
    test::write_file(dir / "dqn.pkl", "model");
    for (std::size_t i = 0; i < k_max_glob_sidecar_files + 2; ++i) {
        test::write_file(dir / "plots" / fmt::format("{:03}.png", i), "p");
    }
    const auto selection = find_sidecars(watch_with({"plots/*.png"}), "dqn.pkl", {"dqn.pkl"});
    ASSERT_EQ(selection.files.size(), k_max_glob_sidecar_files);
    EXPECT_EQ(selection.files.back().stored_as,
              fmt::format("plots/{:03}.png", k_max_glob_sidecar_files - 1));
    ASSERT_EQ(selection.warnings.size(), 1u);
    EXPECT_THAT(selection.warnings[0],
                HasSubstr("sidecars \"plots/*.png\" matches 2 more file(s)"));
    EXPECT_THAT(selection.warnings[0], HasSubstr("not stored: plots/100.png, plots/101.png"));
    // A template that names one file has no such limit.
    EXPECT_THAT(find_sidecars(watch_with({"plots/101.png"}), "dqn.pkl", {"dqn.pkl"}).warnings,
                IsEmpty());
}

} // namespace
} // namespace mv::daemon
