#include "daemon/disk_space.hpp"

#include <sys/statvfs.h>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/time.hpp"

namespace mv::daemon {

namespace {

constexpr std::uint64_t k_per_file = 16 * 1024;
constexpr std::uint64_t k_per_version = 1024 * 1024;

} // namespace

std::uint64_t space_needed(const std::vector<std::uint64_t>& file_sizes) {
    std::uint64_t needed = k_per_version;
    for (const std::uint64_t size : file_sizes) {
        needed += size + size / 256 + k_per_file;
    }
    return needed;
}

std::optional<std::string> room_problem(const std::string& model, std::uint64_t needed,
                                        std::uint64_t files_size, std::uint64_t free,
                                        const std::filesystem::path& vault) {
    if (needed <= free) {
        return std::nullopt;
    }
    return fmt::format("No space left in the vault for {}: its files are {}, a version may "
                       "need up to {}, and {} has {} free; free at least {} there (prune old "
                       "versions with `modelvaultctl prune`) or move the vault to a larger "
                       "disk; nothing was written",
                       model, format_bytes(files_size), format_bytes(needed), vault.string(),
                       format_bytes(free), format_bytes(needed - free));
}

bool disk_low_now(bool was_low, std::uint64_t free, std::optional<std::uint64_t> threshold) {
    if (!threshold) {
        return false;
    }
    if (!was_low) {
        return free < *threshold;
    }
    return free < *threshold + *threshold / 20;
}

std::optional<std::uint64_t> free_bytes(const std::filesystem::path& path) {
    struct statvfs stats {};
    if (::statvfs(path.c_str(), &stats) != 0) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(stats.f_bavail) * stats.f_frsize;
}

void ensure_room(const std::string& model, const ModelFingerprint& files,
                 const std::filesystem::path& vault) {
    std::vector<std::uint64_t> sizes;
    std::uint64_t total = 0;
    for (const auto& file : files) {
        sizes.push_back(file.size);
        total += file.size;
    }
    const auto free = free_bytes(vault);
    if (!free) {
        return; // the write itself will say what is wrong
    }
    if (auto problem = room_problem(model, space_needed(sizes), total, *free, vault)) {
        throw Error(*problem, ErrorCode::io);
    }
}

} // namespace mv::daemon
