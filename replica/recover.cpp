#include "replica/recover.hpp"

#include <cerrno>
#include <fcntl.h>
#include <mutex>
#include <sys/stat.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "replica/sync.hpp"
#include "replica/vault_files.hpp"
#include "util/fs.hpp"

namespace mv::replica {

namespace stdfs = std::filesystem;

namespace {

constexpr const char* k_partial = ".recovering";

struct Download {
    std::string key;
    std::uint64_t size = 0;
};

std::string sha256_of(int fd, std::uint64_t size) {
    return value_or_throw(s3::digest(s3::file_body(fd, 0, size)), "").sha256_hex;
}

// Downloads one object to target/.recovering/<unique>, checks it, fsyncs it and renames
// it into place.
void fetch(s3::Client& client, const stdfs::path& target, const Download& object) {
    const stdfs::path final_path = target / object.key;
    const stdfs::path partial = target / k_partial / fs::unique_suffix();
    UniqueFd fd(::open(partial.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) {
        throw Error(errno_message("cannot create " + partial.string(), errno), ErrorCode::io);
    }
    const std::uint64_t size = client.download(object.key, fd.get());
    const std::string expected = expected_sha256(object.key);
    if (!expected.empty() && sha256_of(fd.get(), size) != expected) {
        fs::remove_durable(partial);
        throw Error(fmt::format("{} on the replica does not hash to its name: the replica is "
                                "damaged there (run `verify` on the replica's machine if it "
                                "still exists)",
                                object.key),
                    ErrorCode::corrupt);
    }
    // Key records and the signing key are the owner's alone, as the vault writes them.
    ::fchmod(fd.get(), object.key.starts_with("keys/") ? 0400 : 0644);
    value_or_throw(fs::sync_fd(fd.get(), partial));
    value_or_throw(fs::create_directories_durable(final_path.parent_path()));
    value_or_throw(fs::rename_durable(partial, final_path));
}

// True when an earlier, interrupted recovery already stored this content-addressed file
// whole (checked against its name).
bool already_recovered(const stdfs::path& target, const Download& object) {
    const std::string expected = expected_sha256(object.key);
    std::error_code error;
    if (expected.empty() || stdfs::file_size(target / object.key, error) != object.size || error) {
        return false;
    }
    const UniqueFd fd(::open((target / object.key).c_str(), O_RDONLY | O_CLOEXEC));
    return fd && sha256_of(fd.get(), object.size) == expected;
}

void fetch_all(s3::TransferPool& pool, const stdfs::path& target,
               const std::vector<Download>& objects) {
    std::vector<s3::TransferPool::Task> tasks;
    for (const auto& object : objects) {
        tasks.emplace_back([&target, &object](s3::Client& client) {
            if (!already_recovered(target, object)) {
                fetch(client, target, object);
            }
        });
    }
    pool.run(tasks);
}

// An empty or missing target, or one an interrupted recovery left (it has k_partial).
void prepare(const stdfs::path& target) {
    std::error_code error;
    if (stdfs::exists(target, error) && !stdfs::exists(target / k_partial, error) &&
        !stdfs::is_empty(target, error)) {
        throw Error(fmt::format("{} is not empty: recover into a new folder, or move what is "
                                "there away first",
                                target.string()),
                    ErrorCode::conflict);
    }
    value_or_throw(fs::create_directories_durable(target / k_partial));
}

} // namespace

RecoveryReport recover(s3::TransferPool& pool, const stdfs::path& target) {
    prepare(target);
    std::vector<Download> data;
    std::vector<Download> manifests;
    std::vector<Download> histories;
    RecoveryReport report;
    for (const auto& [key, size] : list_replica(pool.client())) {
        if (!is_replicated_key(key)) {
            spdlog::warn("recovery skips {} on the replica: not a file of a vault", key);
            continue;
        }
        if (key.starts_with("index/")) {
            continue; // the store rebuilds the index from the packs it recovers
        }
        auto& group = key.starts_with("manifests/") ? manifests
                      : key.starts_with("models/")  ? histories
                                                    : data;
        group.push_back(Download{key, size});
        ++report.files;
        report.bytes += size;
    }
    if (manifests.empty()) {
        throw Error(fmt::format("the replica at {} holds no version: check its bucket and "
                                "prefix",
                                s3::describe(pool.client().location())),
                    ErrorCode::not_found);
    }
    report.versions = manifests.size();
    fetch_all(pool, target, data);
    fetch_all(pool, target, manifests);
    fetch_all(pool, target, histories);
    // Done: without the marker, a second recovery into this folder is refused.
    std::error_code error;
    stdfs::remove_all(target / k_partial, error);
    value_or_throw(fs::sync_directory(target));
    return report;
}

} // namespace mv::replica
