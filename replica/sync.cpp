#include "replica/sync.hpp"

#include <cerrno>
#include <fcntl.h>
#include <mutex>
#include <sys/stat.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "util/fs.hpp"

namespace mv::replica {

namespace {

using Json = nlohmann::json;

struct Progress {
    std::mutex mutex;
    std::size_t files = 0;
    std::uint64_t bytes = 0;
    bool vanished = false;
    RemoteListing* stored = nullptr; ///< what the replica holds, kept up to date
};

// Uploads one file. A file removed since it was listed (a collection repacked it) is
// skipped and noted: the pass then uploads no manifest.
void upload_one(s3::TransferPool* pool, s3::Client& client, const std::filesystem::path& root,
                const VaultFile& file, Progress& progress) {
    auto fd = fs::open_for_reading(root / file.key, false);
    std::error_code ignored;
    if (!fd && !std::filesystem::exists(root / file.key, ignored)) {
        const std::lock_guard lock(progress.mutex);
        progress.vanished = true;
        return;
    }
    if (!fd) {
        throw Error(fd.error(), ErrorCode::io);
    }
    struct stat status {};
    if (::fstat(fd->get(), &status) != 0) {
        throw Error(errno_message("cannot inspect " + (root / file.key).string(), errno));
    }
    const auto size = static_cast<std::uint64_t>(status.st_size);
    const std::string expected = expected_sha256(file.key);
    if (pool != nullptr) {
        s3::upload_file(*pool, file.key, fd->get(), size, 16u << 20, expected);
    } else {
        client.put(file.key, s3::file_body(fd->get(), 0, size), expected);
    }
    const std::lock_guard lock(progress.mutex);
    ++progress.files;
    progress.bytes += size;
    (*progress.stored)[file.key] = size;
}

// Small files in parallel (one PUT each), then large ones one at a time (their parts
// in parallel): a task never uses the pool it runs on.
void upload_all(s3::TransferPool& pool, const std::filesystem::path& root,
                const std::vector<VaultFile>& files, Progress& progress) {
    std::vector<s3::TransferPool::Task> small;
    std::vector<const VaultFile*> large;
    for (const auto& file : files) {
        if (s3::fits_one_put(file.size)) {
            small.emplace_back([&root, &file, &progress](s3::Client& client) {
                upload_one(nullptr, client, root, file, progress);
            });
        } else {
            large.push_back(&file);
        }
    }
    pool.run(small);
    for (const VaultFile* file : large) {
        upload_one(&pool, pool.client(), root, *file, progress);
    }
}

// The vault.json field that tells two vaults apart (a format upgrade changes others).
std::string created_of(const std::string& text) {
    const Json json = Json::parse(text, nullptr, false);
    return json.is_object() && json.contains("created") ? json["created"].dump() : text;
}

} // namespace

void check_same_vault(const std::filesystem::path& vault_root, s3::Client& client) {
    const std::string ours = value_or_throw(fs::read_file(vault_root / "vault.json", 1u << 20));
    const std::string theirs = client.get("vault.json", std::nullopt, 1u << 20);
    if (created_of(ours) != created_of(theirs)) {
        throw ReplicaRefused(
            fmt::format("{} holds another vault (its vault.json was created at {}, "
                        "this vault's at {}): nothing is removed there; give each "
                        "vault its own bucket or prefix",
                        s3::describe(client.location()), created_of(theirs), created_of(ours)),
            ErrorCode::conflict);
    }
}

RemoteListing list_replica(s3::Client& client) {
    RemoteListing remote;
    client.list("", [&](const s3::ListedObject& object) { remote[object.key] = object.size; });
    return remote;
}

SyncPlan pending(const std::filesystem::path& vault_root, s3::Client& client) {
    const auto local = list_vault_files(vault_root);
    return plan_sync(local, list_replica(client));
}

PassReport sync_once(const std::filesystem::path& vault_root, s3::TransferPool& pool) {
    PassReport report;
    const auto local = list_vault_files(vault_root);
    report.remote_after = list_replica(pool.client());
    if (report.remote_after.contains("vault.json")) {
        check_same_vault(vault_root, pool.client());
    }
    report.before = plan_sync(local, report.remote_after);
    Progress progress;
    progress.stored = &report.remote_after;
    upload_all(pool, vault_root, report.before.data, progress);
    if (!progress.vanished) {
        upload_all(pool, vault_root, report.before.manifests, progress);
        upload_all(pool, vault_root, report.before.histories, progress);
    }
    report.uploaded_files = progress.files;
    report.uploaded_bytes = progress.bytes;
    report.complete = !progress.vanished;
    return report;
}

} // namespace mv::replica
