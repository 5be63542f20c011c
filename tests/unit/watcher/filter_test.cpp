#include <gtest/gtest.h>

#include "watcher/filter.hpp"

namespace mv::watcher {
namespace {

config::Watch default_watch() {
    config::Watch watch;
    watch.name = "lab";
    watch.path = "/srv/models/lab";
    return watch;
}

TEST(WatcherFilter, DefaultIncludeMatchesModelExtensionsOnTheFileName) {
    const auto watch = default_watch();
    EXPECT_TRUE(is_model_file(watch, "dqn.pkl"));
    EXPECT_TRUE(is_model_file(watch, "runs/7/policy.pt"));
    EXPECT_TRUE(is_model_file(watch, "llama.gguf"));
    EXPECT_FALSE(is_model_file(watch, "notes.txt"));
    EXPECT_FALSE(is_model_file(watch, "dqn.metrics.json"));
    EXPECT_FALSE(is_model_file(watch, "pkl/readme.md")); // the folder name does not count
    EXPECT_FALSE(is_model_file(watch, ""));
    // Compressed copies as joblib.dump writes them are models too, not skipped unseen.
    for (const char* name : {"dqn.pkl.gz", "dqn.pkl.z", "dqn.pkl.xz", "dqn.pkl.bz2", "dqn.pkl.lzma",
                             "svm.joblib.gz", "svm.joblib.xz"}) {
        EXPECT_TRUE(is_model_file(watch, name)) << name;
    }
}

TEST(WatcherFilter, DefaultExcludeSkipsTemporaryAndHiddenPaths) {
    const auto watch = default_watch();
    EXPECT_TRUE(is_excluded(watch, "tmp_dqn.pkl"));
    EXPECT_TRUE(is_excluded(watch, "dqn.pkl.tmp"));
    EXPECT_TRUE(is_excluded(watch, "dqn.pkl.partial"));
    EXPECT_TRUE(is_excluded(watch, "dqn.pkl~"));
    EXPECT_TRUE(is_excluded(watch, ".dqn.pkl.swp"));
    EXPECT_TRUE(is_excluded(watch, ".git"));
    EXPECT_TRUE(is_excluded(watch, ".git/x.pkl"));
    EXPECT_TRUE(is_excluded(watch, "runs/.cache/deep/x.pkl"));
    EXPECT_TRUE(is_excluded(watch, "tmp_run/x.pkl"));
    EXPECT_FALSE(is_excluded(watch, "runs/x.pkl"));
    EXPECT_FALSE(is_excluded(watch, ""));
    // Excluded files are not models even when they match an include pattern.
    EXPECT_FALSE(is_model_file(watch, ".git/x.pkl"));
    EXPECT_FALSE(is_model_file(watch, "tmp_dqn.pkl"));
}

TEST(WatcherFilter, PatternsWithSlashMatchTheWholePath) {
    auto watch = default_watch();
    watch.include = {"checkpoints/*.pt", "*.onnx"};
    watch.exclude = {"runs/old", "*/scratch/*"};
    EXPECT_TRUE(is_model_file(watch, "checkpoints/a.pt"));
    EXPECT_FALSE(is_model_file(watch, "other/a.pt"));
    EXPECT_FALSE(is_model_file(watch, "checkpoints/sub/a.pt")); // '*' does not cross '/'
    EXPECT_TRUE(is_model_file(watch, "deep/down/m.onnx"));

    // Excluding a folder by path excludes what lies below it, but only at that place.
    EXPECT_TRUE(is_excluded(watch, "runs/old"));
    EXPECT_TRUE(is_excluded(watch, "runs/old/m.onnx"));
    EXPECT_FALSE(is_excluded(watch, "runs/older/m.onnx"));
    EXPECT_FALSE(is_excluded(watch, "x/runs/old/m.onnx"));
    EXPECT_TRUE(is_excluded(watch, "a/scratch/m.onnx"));
    EXPECT_FALSE(is_excluded(watch, "scratch/m.onnx"));
}

TEST(WatcherFilter, EmptyIncludeAcceptsEveryFileThatIsNotExcluded) {
    auto watch = default_watch();
    watch.include.clear();
    EXPECT_TRUE(is_model_file(watch, "config.yaml"));
    EXPECT_FALSE(is_model_file(watch, "x.tmp"));
}

TEST(WatcherFilter, NamesAreRawBytes) {
    const auto watch = default_watch();
    EXPECT_TRUE(is_model_file(watch, "caf\xe9 model.pkl"));
    EXPECT_TRUE(is_model_file(watch, "new\nline/\xff\xfe.pt"));
    EXPECT_TRUE(is_excluded(watch, "\xff/.hidden/x.pkl"));
}

TEST(WatcherFilter, JoinAndWithin) {
    EXPECT_EQ(join_relative("", "a.pkl"), "a.pkl");
    EXPECT_EQ(join_relative("x/y", "a.pkl"), "x/y/a.pkl");
    EXPECT_TRUE(is_within("x/y/a.pkl", "x"));
    EXPECT_TRUE(is_within("x", "x"));
    EXPECT_TRUE(is_within("anything", ""));
    EXPECT_FALSE(is_within("xy/a.pkl", "x"));
    EXPECT_FALSE(is_within("x", "x/y"));
}

} // namespace
} // namespace mv::watcher
