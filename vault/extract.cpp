#include "vault/extract.hpp"

#include <cerrno>
#include <fcntl.h>
#include <linux/fs.h>
#include <map>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/escape.hpp"
#include "util/fs.hpp"
#include "vault/archive_reader.hpp"
#include "vault/io_chunk.hpp"
#include "vault/model_id.hpp"
#include "vault/sha256.hpp"

namespace mv::vault {

namespace {

namespace stdfs = std::filesystem;

/// Restored bytes handed to the kernel for writeback at a time, ahead of the final fsync.
constexpr std::uint64_t k_writeback_chunk = 16u << 20;

// The code of a file-system failure while writing the restored files. A permission the
// caller lacks on its own files is `io` ("the operating system refused", naming the
// folder), never `forbidden`, which says the daemon refused the caller
// (docs/PROTOCOL.md, "Errors").
ErrorCode local_code(int error) {
    return error == EACCES || error == EPERM ? ErrorCode::io : code_for_errno(error);
}

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

// The temporary files and directories this extraction created, removed again unless
// the extraction completes.
class Staging {
public:
    explicit Staging(int root) : m_root(root) {}
    ~Staging() {
        if (m_committed) {
            return;
        }
        for (const auto& [dir_fd, name] : m_temp_files) {
            ::unlinkat(dir_fd->get(), name.c_str(), 0);
        }
        for (auto it = m_created_dirs.rbegin(); it != m_created_dirs.rend(); ++it) {
            ::unlinkat(it->first->get(), it->second.c_str(), AT_REMOVEDIR);
        }
    }
    Staging(const Staging&) = delete;
    Staging& operator=(const Staging&) = delete;

    // Opens (creating where missing) the directory `relative_dir` below the root, one
    // component at a time with O_NOFOLLOW: a symlink planted inside the target cannot
    // redirect the extraction.
    std::shared_ptr<UniqueFd> open_dir(const std::vector<std::string>& components,
                                       const std::string& shown) {
        auto current = std::make_shared<UniqueFd>(::dup(m_root));
        for (const auto& component : components) {
            UniqueFd next(::openat(current->get(), component.c_str(),
                                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!next && errno == ENOENT) {
                if (::mkdirat(current->get(), component.c_str(), 0755) != 0) {
                    throw Error(
                        errno_message(fmt::format("cannot create folder for {}", shown), errno),
                        local_code(errno));
                }
                m_created_dirs.emplace_back(current, component);
                next.reset(::openat(current->get(), component.c_str(),
                                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            }
            if (!next) {
                throw Error(
                    errno == ELOOP || errno == ENOTDIR
                        ? fmt::format("refusing to extract {}: {} in the target is not a "
                                      "plain folder (a symlink or a file)",
                                      shown, escape_name(component))
                        : errno_message(fmt::format("cannot open the folder for {}", shown), errno),
                    errno == ELOOP || errno == ENOTDIR ? ErrorCode::conflict : local_code(errno));
            }
            current = std::make_shared<UniqueFd>(std::move(next));
        }
        return current;
    }

    void add_temp(std::shared_ptr<UniqueFd> dir, std::string name) {
        m_temp_files.emplace_back(std::move(dir), std::move(name));
    }
    void commit() { m_committed = true; }

private:
    int m_root;
    std::vector<std::pair<std::shared_ptr<UniqueFd>, std::string>> m_temp_files;
    std::vector<std::pair<std::shared_ptr<UniqueFd>, std::string>> m_created_dirs;
    bool m_committed = false;
};

struct Planned {
    const FileEntry* entry = nullptr;
    std::vector<std::string> dirs; ///< parent components
    std::string name;              ///< final file name
    std::shared_ptr<UniqueFd> dir_fd;
    std::string temp_name;
    bool extracted = false;
};

[[noreturn]] void corrupt(const Manifest& m, const std::string& what) {
    throw Error(
        fmt::format("{} {}: {}; nothing was restored", m.model, m.version.to_string(), what),
        ErrorCode::corrupt);
}

} // namespace

ExtractResult extract_verified(UniqueFd archive, const Manifest& manifest,
                               const stdfs::path& target, Overwrite overwrite,
                               const ExtractProgress& progress, Members members) {
    // 1. Plan every destination and refuse conflicts before writing anything.
    std::map<std::string, Planned> plan; // by archive member name
    if (auto safe = check_stored_paths(manifest); !safe) {
        corrupt(manifest, safe.error());
    }
    for (const auto& file : manifest.files) {
        if (members == Members::model_only && file.role != FileRole::model) {
            continue;
        }
        Planned planned;
        planned.entry = &file;
        planned.dirs = split_path(file.path);
        planned.name = planned.dirs.back();
        planned.dirs.pop_back();
        if (!plan.emplace(file.member(), std::move(planned)).second) {
            corrupt(manifest, fmt::format("{} is listed twice", escape_name(file.member())));
        }
    }
    // The folders made for `target` go again, when still empty, if the restore fails:
    // "nothing was restored" should leave nothing behind.
    const auto missing = [](const std::filesystem::path& dir) {
        struct stat st {};
        return ::lstat(dir.c_str(), &st) != 0 && errno == ENOENT;
    };
    std::vector<std::filesystem::path> made;
    for (auto dir = target; !dir.empty() && dir != dir.parent_path() && missing(dir);
         dir = dir.parent_path()) {
        made.push_back(dir); // deepest first
    }
    struct RemoveUnlessKept {
        const std::vector<std::filesystem::path>& dirs;
        bool keep = false;
        ~RemoveUnlessKept() {
            for (const auto& dir : dirs) {
                if (!keep) {
                    ::rmdir(dir.c_str());
                }
            }
        }
    } made_guard{made};
    value_or_throw(fs::create_directories_durable(target),
                   fmt::format("cannot create the folder {}: ", target.string()), ErrorCode::io);
    UniqueFd root(::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root) {
        throw Error(errno_message(fmt::format("cannot open the folder {}", target.string()), errno),
                    local_code(errno));
    }
    if (::faccessat(root.get(), ".", W_OK, AT_EACCESS) != 0) {
        // The caller adds what to do: restore and rollback have different ways out.
        throw TargetNotWritable(
            fmt::format("you may not write to the folder {} (Permission denied)", target.string()),
            ErrorCode::io);
    }
    std::vector<std::string> existing;
    for (const auto& [member, planned] : plan) {
        struct stat st {};
        if (::lstat((target / planned.entry->path).c_str(), &st) == 0) {
            if (overwrite == Overwrite::no || !S_ISREG(st.st_mode)) {
                existing.push_back((target / planned.entry->path).string());
            }
        }
    }
    if (!existing.empty()) {
        throw Error(fmt::format("{} already exist{}; nothing was restored",
                                escape_name(fmt::format("{}", fmt::join(existing, ", "))),
                                existing.size() == 1 ? "s" : ""),
                    ErrorCode::conflict);
    }

    // 2. Extract to temporary names, hashing as we go.
    Staging staging(root.get());
    ExtractResult result;
    ArchiveReader reader(std::move(archive),
                         fmt::format("{} {}", manifest.model, manifest.version.to_string()));
    std::unique_ptr<char[]> buffer(new char[k_io_chunk]);
    bool first = true;
    while (auto member = reader.next()) {
        const std::string shown = escape_name(member->path);
        if (first) {
            first = false;
            if (member->path != "manifest.json") {
                corrupt(manifest,
                        fmt::format("the archive starts with {}, not manifest.json", shown));
            }
            std::string text;
            while (const std::size_t got = reader.read(buffer.get(), k_io_chunk)) {
                if (text.size() + got > k_max_manifest_bytes) {
                    corrupt(manifest, "manifest.json in the archive is implausibly large");
                }
                text.append(buffer.get(), got);
            }
            auto embedded = parse_manifest(text);
            if (!embedded || embedded->model != manifest.model ||
                embedded->version != manifest.version ||
                to_json(*embedded)["files"] != to_json(manifest)["files"]) {
                corrupt(manifest,
                        "manifest.json in the archive does not match the vault's manifest");
            }
            continue;
        }
        if (member->path == "README.md") {
            while (reader.read(buffer.get(), k_io_chunk) > 0) {
            }
            continue;
        }
        const auto it = plan.find(member->path);
        if (it == plan.end() && members == Members::model_only &&
            member->path.starts_with("sidecars/")) {
            while (reader.read(buffer.get(), k_io_chunk) > 0) {
            }
            continue; // verified by the daemon's own checks; not put back by a rollback
        }
        if (it == plan.end()) {
            corrupt(manifest,
                    fmt::format("the archive holds {}, which the manifest does not list", shown));
        }
        Planned& planned = it->second;
        if (member->type != Member::Type::regular) {
            corrupt(manifest, fmt::format("{} is a link or special file: refused", shown));
        }
        if (planned.extracted) {
            corrupt(manifest, fmt::format("{} appears twice in the archive", shown));
        }
        planned.dir_fd = staging.open_dir(planned.dirs, (target / planned.entry->path).string());
        // Bounded, whatever the file's name: a 255-byte name leaves no room for a prefix.
        planned.temp_name = fmt::format(".mv-restore-{}", fs::unique_suffix());
        UniqueFd out(::openat(planned.dir_fd->get(), planned.temp_name.c_str(),
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!out) {
            throw Error(
                errno_message(fmt::format("cannot create a file in the folder {} for {}",
                                          (target / planned.entry->path).parent_path().string(),
                                          escape_name(planned.name)),
                              errno),
                local_code(errno));
        }
        staging.add_temp(planned.dir_fd, planned.temp_name);
        Sha256 sha;
        std::uint64_t size = 0;
        std::uint64_t flushed = 0;
        while (const std::size_t got = reader.read(buffer.get(), k_io_chunk)) {
            sha.update(buffer.get(), got);
            value_or_throw(
                fs::write_all(out.get(), buffer.get(), got, target / planned.entry->path));
            size += got;
            // Start writing back what is complete while extraction goes on, so that the
            // fsync below finds little left to do (it alone makes the file durable).
            if (size - flushed >= k_writeback_chunk) {
                ::sync_file_range(out.get(), static_cast<off_t>(flushed),
                                  static_cast<off_t>(size - flushed), SYNC_FILE_RANGE_WRITE);
                flushed = size;
            }
            if (progress) {
                progress(reader.bytes_consumed());
            }
        }
        if (size != planned.entry->size || sha.hex_digest() != planned.entry->sha256) {
            corrupt(manifest, fmt::format("{} does not match its SHA-256 in the manifest", shown));
        }
        ::fchmod(out.get(), planned.entry->mode & 0777);
        const auto mtime = std::chrono::nanoseconds(planned.entry->mtime_ns);
        const struct timespec times[2] = {
            {0, UTIME_OMIT},
            {static_cast<time_t>(std::chrono::duration_cast<std::chrono::seconds>(mtime).count()),
             static_cast<long>(mtime.count() % 1'000'000'000)}};
        ::futimens(out.get(), times);
        value_or_throw(fs::sync_fd(out.get(), target / planned.entry->path));
        planned.extracted = true;
        result.bytes += size;
    }
    if (first) {
        corrupt(manifest, "the archive is empty");
    }
    for (const auto& [member, planned] : plan) {
        if (!planned.extracted) {
            corrupt(manifest, fmt::format("{} is missing from the archive", escape_name(member)));
        }
    }
    const auto [archive_size, archive_sha256] = reader.finish();
    if ((manifest.archive.size != 0 && archive_size != manifest.archive.size) ||
        (!manifest.archive.sha256.empty() && archive_sha256 != manifest.archive.sha256)) {
        corrupt(manifest, fmt::format("the archive {} does not match its SHA-256 in the manifest",
                                      manifest.archive.file));
    }

    // 3. Everything verified: move the files into place.
    for (auto& [member, planned] : plan) {
        const unsigned flags = overwrite == Overwrite::yes ? 0 : RENAME_NOREPLACE;
        if (::renameat2(planned.dir_fd->get(), planned.temp_name.c_str(), planned.dir_fd->get(),
                        planned.name.c_str(), flags) != 0) {
            throw Error(errno_message(fmt::format("cannot put {} in place",
                                                  (target / planned.entry->path).string()),
                                      errno),
                        errno == EEXIST ? ErrorCode::conflict : local_code(errno));
        }
        ::fsync(planned.dir_fd->get());
        result.files.push_back(target / planned.entry->path);
    }
    staging.commit();
    made_guard.keep = true;
    return result;
}

} // namespace mv::vault
