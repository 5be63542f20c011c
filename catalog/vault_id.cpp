#include "catalog/vault_id.hpp"

#include <algorithm>
#include <random>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::catalog {

namespace {

constexpr std::size_t k_id_length = 32;

bool is_id(const std::string& text) {
    return text.size() == k_id_length && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::string new_id() {
    std::random_device random; // getrandom(2): ids of two vaults must not collide
    std::string id;
    while (id.size() < k_id_length) {
        id += fmt::format("{:08x}", random());
    }
    return id.substr(0, k_id_length);
}

} // namespace

std::string load_or_create_vault_id(const std::filesystem::path& file) {
    std::error_code error;
    if (std::filesystem::exists(file, error)) {
        auto text = value_or_throw(fs::read_file(file, 4096), "catalog: ", ErrorCode::io);
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
            text.pop_back();
        }
        if (!is_id(text)) {
            throw Error(
                fmt::format("catalog: {} does not hold a vault id (32 hex digits); "
                            "restore it from a backup, or remove it to give the vault "
                            "a new id (its rows in the catalog then stay under the old one)",
                            file.string()),
                ErrorCode::corrupt);
        }
        return text;
    }
    const std::string id = new_id();
    value_or_throw(fs::create_directories_durable(file.parent_path()), "catalog: ", ErrorCode::io);
    value_or_throw(fs::write_file_atomic(file, id + "\n"), "catalog: ", ErrorCode::io);
    return id;
}

} // namespace mv::catalog
