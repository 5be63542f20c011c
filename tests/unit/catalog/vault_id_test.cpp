// The vault's id in the catalog (catalog/vault_id.hpp): made once, then kept.
#include <fstream>

#include <gtest/gtest.h>

#include "catalog/vault_id.hpp"
#include "tests/lib/temp_dir.hpp"
#include "util/error.hpp"

namespace mv::catalog {
namespace {

TEST(VaultId, IsMadeOnceAndKept) {
    test::TempDir dir("vault-id");
    const std::string id = load_or_create_vault_id(dir / "state" / "vault-id");
    EXPECT_EQ(id.size(), 32u);
    EXPECT_EQ(load_or_create_vault_id(dir / "state" / "vault-id"), id);
    test::TempDir other("vault-id");
    EXPECT_NE(load_or_create_vault_id(other / "vault-id"), id) << "two vaults, two ids";
}

TEST(VaultId, AFileWithoutAnIdIsRefused) {
    test::TempDir dir("vault-id");
    std::ofstream(dir / "vault-id") << "hello\n";
    try {
        load_or_create_vault_id(dir / "vault-id");
        FAIL() << "accepted a file without an id";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ErrorCode::corrupt);
        EXPECT_NE(std::string(error.what()).find("remove it to give the vault a new id"),
                  std::string::npos);
    }
}

} // namespace
} // namespace mv::catalog
