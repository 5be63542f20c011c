#include "replica/vault_files.hpp"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

#include "util/error.hpp"

namespace mv::replica {

namespace stdfs = std::filesystem;

namespace {

bool is_hex(std::string_view text, std::size_t size) {
    return text.size() == size && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

SystemTime to_system_time(stdfs::file_time_type time) {
    return std::chrono::time_point_cast<SystemTime::duration>(
        stdfs::file_time_type::clock::to_sys(time));
}

// Regular files below root/folder whose keys pass is_replicated_key(), appended.
void list_below(const stdfs::path& root, const std::string& folder, FileRole role,
                std::vector<VaultFile>& files) {
    std::error_code error;
    stdfs::recursive_directory_iterator it(root / folder, error);
    if (error == std::errc::no_such_file_or_directory) {
        return;
    }
    for (; !error && it != stdfs::recursive_directory_iterator(); it.increment(error)) {
        std::error_code status_error;
        if (!it->is_regular_file(status_error) || it->is_symlink(status_error)) {
            continue;
        }
        const std::string key = it->path().lexically_relative(root).generic_string();
        if (!is_replicated_key(key)) {
            continue;
        }
        const auto size = it->file_size(status_error);
        const auto modified = it->last_write_time(status_error);
        if (status_error) {
            continue; // removed meanwhile (a collection): the next pass sees the truth
        }
        files.push_back(VaultFile{key, size, role, to_system_time(modified)});
    }
    if (error && error != std::errc::no_such_file_or_directory) {
        throw Error(fmt::format("cannot list {}: {}", (root / folder).string(), error.message()),
                    ErrorCode::io);
    }
}

} // namespace

std::vector<VaultFile> list_vault_files(const stdfs::path& root) {
    std::vector<VaultFile> files;
    list_below(root, "manifests", FileRole::manifest, files);
    std::error_code error;
    const auto vault_json_size = stdfs::file_size(root / "vault.json", error);
    if (!error) {
        files.push_back(VaultFile{"vault.json", vault_json_size, FileRole::data, {}});
    }
    list_below(root, "packs", FileRole::data, files);
    list_below(root, "index", FileRole::data, files);
    list_below(root, "keys", FileRole::data, files);
    list_below(root, "signatures", FileRole::data, files);
    list_below(root, "models", FileRole::history, files);
    return files;
}

bool is_replicated_key(const std::string& key) {
    if (key == "vault.json") {
        return true;
    }
    if (key.starts_with("manifests/")) {
        const std::string_view name = std::string_view(key).substr(10);
        return name.size() == 69 && name.ends_with(".json") && is_hex(name.substr(0, 64), 64);
    }
    if (key.starts_with("index/")) {
        return is_hex(std::string_view(key).substr(6), 64);
    }
    if (key.starts_with("signatures/")) {
        // An encrypted vault's signature of each manifest, named like it (docs/FORMAT.md,
        // "Signatures"): a recovered vault's versions still verify.
        const std::string_view name = std::string_view(key).substr(11);
        return name.size() == 69 && name.ends_with(".json") && is_hex(name.substr(0, 64), 64);
    }
    if (key.starts_with("keys/")) {
        // An encrypted vault's key records and signing key (docs/FORMAT.md, "Encryption"):
        // without them nothing on the replica can be read.
        const std::string_view name = std::string_view(key).substr(5);
        return name == "signing.json" ||
               (name.size() == 21 && name.ends_with(".json") && is_hex(name.substr(0, 16), 16));
    }
    if (key.starts_with("packs/")) {
        const std::string_view rest = std::string_view(key).substr(6);
        return rest.size() == 67 && rest[2] == '/' && is_hex(rest.substr(0, 2), 2) &&
               is_hex(rest.substr(3), 64) && rest.substr(0, 2) == rest.substr(3, 2);
    }
    if (key.starts_with("models/") && key.ends_with("/history.jsonl")) {
        // Model folders are encoded (docs/FORMAT.md): no component is ".", ".." or hidden.
        const stdfs::path path(key);
        return std::none_of(path.begin(), path.end(), [](const stdfs::path& part) {
            const std::string text = part.string();
            return text.empty() || text.front() == '.';
        });
    }
    return false;
}

std::string expected_sha256(const std::string& key) {
    if (key.starts_with("manifests/")) {
        return key.substr(10, 64);
    }
    if (key.starts_with("packs/")) {
        return key.substr(9, 64);
    }
    if (key.starts_with("index/")) {
        return key.substr(6, 64);
    }
    return {};
}

} // namespace mv::replica
