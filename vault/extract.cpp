// Verified extraction, in the steps the header lists: plan, prepare the target, extract
// every member to a temporary name, check, commit.
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
#include "vault/extract_staging.hpp"
#include "vault/io_chunk.hpp"
#include "vault/manifest_signature.hpp"
#include "vault/model_id.hpp"
#include "vault/sha256.hpp"

namespace mv::vault {

namespace {

namespace stdfs = std::filesystem;

/// Restored bytes handed to the kernel for writeback at a time, ahead of the final fsync.
constexpr std::uint64_t k_writeback_chunk = 16u << 20;

struct Planned {
    const FileEntry* entry = nullptr;
    std::vector<std::string> dirs; ///< parent components
    std::string name;              ///< final file name
    std::shared_ptr<UniqueFd> dir_fd;
    std::string temp_name;
    bool extracted = false;
};

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

class Extraction {
public:
    Extraction(const stdfs::path& target, Overwrite overwrite, Members members)
        : m_target(target), m_overwrite(overwrite), m_members(members) {}

    [[noreturn]] void corrupt(const std::string& what) const {
        throw Error(fmt::format("{} {}: {}; nothing was restored", m_manifest.model,
                                m_manifest.version.to_string(), what),
                    ErrorCode::corrupt);
    }

    // The stream's first member is manifest.json: the one to check against, or to adopt.
    void read_manifest(ArchiveReader& reader, const std::optional<Manifest>& expected) {
        if (expected) {
            m_manifest = *expected;
        }
        const auto member = reader.next();
        if (!member) {
            corrupt("the archive is empty");
        }
        if (member->path != "manifest.json") {
            corrupt(fmt::format("the archive starts with {}, not manifest.json",
                                escape_name(member->path)));
        }
        std::string text;
        std::unique_ptr<char[]> buffer(new char[k_io_chunk]);
        while (const std::size_t got = reader.read(buffer.get(), k_io_chunk)) {
            if (text.size() + got > k_max_manifest_bytes) {
                corrupt("manifest.json in the archive is implausibly large");
            }
            text.append(buffer.get(), got);
        }
        auto embedded = parse_manifest(text);
        if (!expected) {
            if (!embedded) {
                throw Error("the stream's manifest.json cannot be read: " + embedded.error(),
                            ErrorCode::corrupt);
            }
            m_manifest = std::move(*embedded);
            return;
        }
        if (!embedded || embedded->model != m_manifest.model ||
            embedded->version != m_manifest.version ||
            to_json(*embedded, false)["files"] != to_json(m_manifest, false)["files"]) {
            corrupt("manifest.json in the archive does not match the vault's manifest");
        }
    }

    // Every destination, checked before anything is written.
    void plan() {
        if (auto safe = check_stored_paths(m_manifest); !safe) {
            corrupt(safe.error());
        }
        for (const auto& file : m_manifest.files) {
            if (m_members == Members::model_only && file.role != FileRole::model) {
                continue;
            }
            Planned planned;
            planned.entry = &file;
            planned.dirs = split_path(file.path);
            planned.name = planned.dirs.back();
            planned.dirs.pop_back();
            if (!m_plan.emplace(file.member(), std::move(planned)).second) {
                corrupt(fmt::format("{} is listed twice", escape_name(file.member())));
            }
        }
    }

    void refuse_conflicts() const {
        std::vector<std::string> existing;
        for (const auto& [member, planned] : m_plan) {
            struct stat st {};
            const auto path = m_target / planned.entry->path;
            if (::lstat(path.c_str(), &st) == 0 &&
                (m_overwrite == Overwrite::no || !S_ISREG(st.st_mode))) {
                existing.push_back(path.string());
            }
        }
        if (!existing.empty()) {
            throw Error(fmt::format("{} already exist{}; nothing was restored",
                                    escape_name(fmt::format("{}", fmt::join(existing, ", "))),
                                    existing.size() == 1 ? "s" : ""),
                        ErrorCode::conflict);
        }
    }

    // Members until the end of the stream; README.md, signature.json and (for a rollback)
    // sidecars are read past.
    void extract_members(ArchiveReader& reader, Staging& staging, const ExtractProgress& progress) {
        std::unique_ptr<char[]> buffer(new char[k_io_chunk]);
        while (auto member = reader.next()) {
            const bool skipped =
                member->path == "README.md" || member->path == k_signature_member ||
                (m_members == Members::model_only && member->path.starts_with("sidecars/"));
            const auto it = m_plan.find(member->path);
            if (skipped || it == m_plan.end()) {
                if (!skipped) {
                    corrupt(fmt::format("the archive holds {}, which the manifest does not list",
                                        escape_name(member->path)));
                }
                while (reader.read(buffer.get(), k_io_chunk) > 0) {
                }
                continue;
            }
            if (member->type != Member::Type::regular) {
                corrupt(fmt::format("{} is a link or special file: refused",
                                    escape_name(member->path)));
            }
            if (it->second.extracted) {
                corrupt(fmt::format("{} appears twice in the archive", escape_name(member->path)));
            }
            extract_one(reader, it->second, staging, buffer.get(), progress);
        }
    }

    void check_complete(ArchiveReader& reader) const {
        for (const auto& [member, planned] : m_plan) {
            if (!planned.extracted) {
                corrupt(fmt::format("{} is missing from the archive", escape_name(member)));
            }
        }
        const auto [archive_size, archive_sha256] = reader.finish();
        const auto& archive = m_manifest.archive; // format 1 only
        if ((archive.size != 0 && archive_size != archive.size) ||
            (!archive.sha256.empty() && !archive_sha256.empty() &&
             archive_sha256 != archive.sha256)) {
            corrupt(fmt::format("the archive {} does not match its SHA-256 in the manifest",
                                archive.file));
        }
    }

    void commit(ExtractResult& result) {
        for (auto& [member, planned] : m_plan) {
            const unsigned flags = m_overwrite == Overwrite::yes ? 0 : RENAME_NOREPLACE;
            if (::renameat2(planned.dir_fd->get(), planned.temp_name.c_str(), planned.dir_fd->get(),
                            planned.name.c_str(), flags) != 0) {
                throw Error(errno_message(fmt::format("cannot put {} in place",
                                                      (m_target / planned.entry->path).string()),
                                          errno),
                            errno == EEXIST ? ErrorCode::conflict : local_code(errno));
            }
            ::fsync(planned.dir_fd->get());
            result.files.push_back(m_target / planned.entry->path);
        }
        result.bytes = m_bytes;
        result.manifest = m_manifest;
    }

    const Manifest& manifest() const { return m_manifest; }

private:
    void extract_one(ArchiveReader& reader, Planned& planned, Staging& staging, char* buffer,
                     const ExtractProgress& progress) {
        const auto destination = m_target / planned.entry->path;
        planned.dir_fd = staging.open_dir(planned.dirs, destination.string());
        // Bounded, whatever the file's name: a 255-byte name leaves no room for a prefix.
        planned.temp_name = fmt::format(".mv-restore-{}", fs::unique_suffix());
        UniqueFd out(::openat(planned.dir_fd->get(), planned.temp_name.c_str(),
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!out) {
            throw Error(errno_message(fmt::format("cannot create a file in the folder {} for {}",
                                                  destination.parent_path().string(),
                                                  escape_name(planned.name)),
                                      errno),
                        local_code(errno));
        }
        staging.add_temp(planned.dir_fd, planned.temp_name);
        Sha256 sha;
        std::uint64_t size = 0;
        std::uint64_t flushed = 0;
        while (const std::size_t got = reader.read(buffer, k_io_chunk)) {
            sha.update(buffer, got);
            value_or_throw(fs::write_all(out.get(), buffer, got, destination));
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
            corrupt(fmt::format("{} does not match its SHA-256 in the manifest",
                                escape_name(planned.entry->member())));
        }
        ::fchmod(out.get(), planned.entry->mode & 0777);
        const auto mtime = std::chrono::nanoseconds(planned.entry->mtime_ns);
        const struct timespec times[2] = {
            {0, UTIME_OMIT},
            {static_cast<time_t>(std::chrono::duration_cast<std::chrono::seconds>(mtime).count()),
             static_cast<long>(mtime.count() % 1'000'000'000)}};
        ::futimens(out.get(), times);
        value_or_throw(fs::sync_fd(out.get(), destination));
        planned.extracted = true;
        m_bytes += size;
    }

    stdfs::path m_target;
    Overwrite m_overwrite;
    Members m_members;
    Manifest m_manifest;
    std::map<std::string, Planned> m_plan; ///< by member name
    std::uint64_t m_bytes = 0;
};

} // namespace

ExtractResult extract_verified(UniqueFd archive, const std::optional<Manifest>& expected,
                               const stdfs::path& target, Overwrite overwrite,
                               const ExtractProgress& progress, Members members,
                               const ManifestSeen& seen) {
    Extraction extraction(target, overwrite, members);
    ArchiveReader reader(std::move(archive), expected ? fmt::format("{} {}", expected->model,
                                                                    expected->version.to_string())
                                                      : std::string("the version's stream"));
    // Only a format-1 archive file has a SHA-256 of its own (every file's is checked anyway).
    reader.hash_archive(expected && !expected->archive.sha256.empty());
    extraction.read_manifest(reader, expected);
    extraction.plan();
    if (seen) {
        seen(extraction.manifest());
    }
    TargetFolder folder(target); // removed again, when still empty, if anything fails
    extraction.refuse_conflicts();
    Staging staging(folder.fd());
    extraction.extract_members(reader, staging, progress);
    extraction.check_complete(reader);
    ExtractResult result;
    extraction.commit(result);
    staging.commit();
    folder.keep();
    return result;
}

} // namespace mv::vault
