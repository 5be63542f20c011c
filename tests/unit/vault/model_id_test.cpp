#include <gtest/gtest.h>

#include "util/escape.hpp"
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

TEST(ModelId, LongComponentsGetBoundedHashedFolderNames) {
    // 255 bytes are a legal file name; %20 and %ff make the encoding three times longer.
    const std::string spaces(255, ' ');
    const std::string high(255, '\xff');
    for (const auto& name : {spaces, high, std::string(254, 'a') + " "}) {
        const std::string folder = folder_name(name);
        EXPECT_LE(folder.size(), k_max_folder_name) << folder;
        EXPECT_NE(folder.find('~'), std::string::npos) << folder;
        EXPECT_NE(folder.front(), '.');
    }
    // Names whose encoding fits are kept as they are.
    EXPECT_EQ(folder_name(std::string(255, 'a')), std::string(255, 'a'));
    // The cut never splits an escape: the prefix before '~' decodes.
    const std::string cut = folder_name(std::string(80, 'a') + spaces);
    EXPECT_TRUE(decode_path_component(cut.substr(0, cut.find('~'))));
    // Injective: names that share the whole readable prefix still differ.
    EXPECT_NE(folder_name(spaces), folder_name(spaces.substr(1) + "x"));
    EXPECT_NE(folder_name(spaces), folder_name(std::string(254, ' ')));
}

TEST(ModelId, FoldersReadBackUnlessHashed) {
    const ModelId id{"w", "agents/a b/\xff.pkl"};
    EXPECT_EQ(ModelId::from_vault_dir(id.vault_dir()), id);
    EXPECT_EQ(ModelId::from_vault_dir("models/w"), (ModelId{"w", ""}));
    EXPECT_FALSE(ModelId::from_vault_dir(ModelId{"w", std::string(255, ' ')}.vault_dir()));
    EXPECT_FALSE(ModelId::from_vault_dir("models/w/%2E")); // not how it would be written
    EXPECT_FALSE(ModelId::from_vault_dir("elsewhere/w/a"));
    EXPECT_FALSE(ModelId::from_vault_dir("models/w/%2e%2e")); // ".."
}

} // namespace
} // namespace mv::vault
