#include <gtest/gtest.h>

#include "vault/model_id.hpp"

namespace mv::vault {
namespace {

TEST(ModelId, ParsesFilesAndDirectoryLayouts) {
    auto files = ModelId::parse("pacman/agents/dqn.pkl");
    ASSERT_TRUE(files) << files.error();
    EXPECT_EQ(files->watch, "pacman");
    EXPECT_EQ(files->relative, "agents/dqn.pkl");
    EXPECT_EQ(files->text(), "pacman/agents/dqn.pkl");
    auto dir = ModelId::parse("hf-bert");
    ASSERT_TRUE(dir);
    EXPECT_EQ(dir->relative, "");
    EXPECT_EQ(dir->text(), "hf-bert");
}

TEST(ModelId, EscapedTextCarriesAnyBytes) {
    auto id = ModelId::parse("w/odd\\x0aname\\xff.pkl");
    ASSERT_TRUE(id) << id.error();
    EXPECT_EQ(id->relative, "odd\nname\xff.pkl");
    EXPECT_EQ(id->text(), "w/odd\\x0aname\\xff.pkl");
}

TEST(ModelId, RejectsPathsThatCouldEscape) {
    for (const char* bad : {"", "/abs", "w/../x", "w/./x", "w//x", "w/x/", "..", ".", "w/..",
                            "bad name/x", "w/", "w/a\\x00b", "w/\\q"}) {
        EXPECT_FALSE(ModelId::parse(bad)) << bad;
    }
}

TEST(ModelId, VaultDirStaysInsideModels) {
    ModelId id{"w", "..x/.hidden/a b/\xff"};
    const auto dir = id.vault_dir();
    EXPECT_EQ(dir.string(), "models/w/%2e.x/%2ehidden/a%20b/%ff");
    for (const auto& part : dir) {
        EXPECT_NE(part, "..");
        EXPECT_NE(part, ".");
    }
}

TEST(ModelId, DistinctIdsGetDistinctFolders) {
    EXPECT_NE((ModelId{"w", "a/b"}.vault_dir()), (ModelId{"w", "a%2fb"}.vault_dir()));
    EXPECT_NE((ModelId{"w", "a b"}.vault_dir()), (ModelId{"w", "a%20b"}.vault_dir()));
    EXPECT_NE((ModelId{"w", ""}.vault_dir()), (ModelId{"w", "%2e"}.vault_dir()));
}

} // namespace
} // namespace mv::vault
