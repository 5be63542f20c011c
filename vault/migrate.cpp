#include "vault/migrate.hpp"

#include <algorithm>
#include <fcntl.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/write_session.hpp"
#include "util/fs.hpp"
#include "vault/extract.hpp"
#include "vault/ingest.hpp"
#include "vault/storage_settings.hpp"
#include "vault/vault.hpp"
#include "vault/vault_marker.hpp"

namespace mv::vault {

namespace {

namespace stdfs = std::filesystem;

constexpr const char* k_archive_extensions[] = {".tar.zst", ".tar.gz", ".tar.xz", ".tar"};

// "1.4.2_20261122T083412Z" from an archive's file name, or "" for anything else.
std::string archive_stem(const std::string& name) {
    for (const std::string_view ext : k_archive_extensions) {
        if (name.size() > ext.size() && name.ends_with(ext)) {
            return name.substr(0, name.size() - ext.size());
        }
    }
    return {};
}

// Format-1 sidecars and archives under models/ (histories are not versions).
void list_format1(const stdfs::path& models, std::vector<stdfs::path>& sidecars,
                  std::vector<stdfs::path>& archives) {
    for (auto it = stdfs::recursive_directory_iterator(models);
         it != stdfs::recursive_directory_iterator(); ++it) {
        const std::string name = it->path().filename().string();
        if (!it->is_regular_file() || name == k_history_file) {
            continue;
        }
        if (name.ends_with(".json")) {
            sidecars.push_back(it->path());
        } else if (!archive_stem(name).empty()) {
            archives.push_back(it->path());
        }
    }
    std::sort(sidecars.begin(), sidecars.end());
}

// Moves a file that cannot be migrated, untouched, to VAULT/legacy/<same place>.
void set_aside(const stdfs::path& root, const stdfs::path& file) {
    if (!stdfs::exists(file)) {
        return;
    }
    const stdfs::path target = root / "legacy" / file.lexically_relative(root / "models");
    value_or_throw(fs::create_directories_durable(target.parent_path()),
                   "cannot set a damaged version aside: ");
    value_or_throw(fs::rename_durable(file, target), "cannot set a damaged version aside: ");
    spdlog::error("vault: {} was moved to {}; that version is not in the vault any more",
                  file.string(), target.string());
}

// The format-1 manifest `old` as a format-2 one holding `files` (same content, now chunks).
Manifest upgraded(const Manifest& old, std::vector<FileEntry> files,
                  const config::Compression& compression) {
    Manifest m = old;
    m.format_version = k_manifest_format_version;
    m.archive = {};
    m.revision = 0;
    m.storage.codec = storage_codec_name(compression);
    m.storage.level = codec_settings_for(compression).level;
    m.storage.byte_grouping = compression.byte_grouping;
    m.files = std::move(files);
    return m;
}

struct TemporaryFolder {
    stdfs::path dir;
    ~TemporaryFolder() {
        std::error_code ignored;
        stdfs::remove_all(dir, ignored);
    }
};

} // namespace

// One version: unpack (every hash checked), store, commit, then remove the old files.
void migrate_version(Vault& vault, const stdfs::path& sidecar, const Manifest& old,
                     const stdfs::path& archive) {
    TemporaryFolder staging{vault.tmp_dir() / fmt::format("migrate-{}", fs::unique_suffix())};
    auto fd = fs::open_for_reading(archive, false);
    if (!fd) {
        throw Error(fd.error(), ErrorCode::corrupt);
    }
    extract_verified(std::move(*fd), old, staging.dir, Overwrite::no);
    store_unpacked_version(vault, old, staging.dir);
    value_or_throw(fs::remove_durable(archive), "cannot remove a migrated archive: ");
    value_or_throw(fs::remove_durable(sidecar), "cannot remove a migrated manifest: ");
}

void store_unpacked_version(Vault& vault, const Manifest& old, const stdfs::path& staging) {
    config::Compression compression;
    {
        std::shared_lock lock(vault.m_mutex);
        compression = vault.m_options.compression;
    }
    auto session = vault.m_store->begin_write();
    const store::FileWriteOptions options{chunk_workers(compression)};
    std::vector<FileEntry> files;
    for (const auto& file : old.files) {
        FileEntry entry = ingest_file(SourceFile::beneath(staging, file.path, file.path, file.role),
                                      *session, options, {}, {});
        if (entry.sha256 != file.sha256 || entry.size != file.size) {
            throw Error(fmt::format("{} changed while it was migrated", file.path),
                        ErrorCode::corrupt);
        }
        auto chunks = std::move(entry.chunks);
        entry = file; // what format 1 recorded: mode, times, format
        entry.chunks = std::move(chunks);
        entry.chunk_count = entry.chunks.size();
        files.push_back(std::move(entry));
    }
    Manifest manifest = upgraded(old, std::move(files), compression);
    manifest.storage.encrypted = vault.m_store->sealing().enabled();
    manifest.storage.chunk_names = std::string(vault.m_store->namer().scheme());
    manifest.storage.new_chunks = session->new_chunks();
    manifest.storage.new_bytes = session->commit();
    vault.commit_manifest(manifest);
    session->finish();
}

void migrate_format1(Vault& vault, const OpenProgress& progress) {
    const stdfs::path root = vault.root();
    std::vector<stdfs::path> sidecars;
    std::vector<stdfs::path> archives;
    list_format1(root / "models", sidecars, archives);
    spdlog::info("vault {}: upgrading from format 1 to format 2 ({} versions; "
                 "docs/FORMAT.md \"Migration\")",
                 root.string(), sidecars.size());
    for (std::size_t i = 0; i < sidecars.size(); ++i) {
        const stdfs::path& sidecar = sidecars[i];
        if (progress) {
            progress(fmt::format("upgrading the vault to format 2: version {} of {}", i + 1,
                                 sidecars.size()));
        }
        auto text = fs::read_file(sidecar);
        auto old = text ? parse_manifest(*text) : Result<Manifest>(failure(text.error()));
        if (!old || old->format_version != 1 || old->archive.file.find('/') != std::string::npos) {
            spdlog::error("vault: cannot migrate {}: {}", sidecar.string(),
                          old ? "not a format-1 manifest" : old.error());
            const std::string stem = sidecar.stem().string();
            for (const std::string_view ext : k_archive_extensions) {
                set_aside(root, sidecar.parent_path() / (stem + std::string(ext)));
            }
            set_aside(root, sidecar);
            continue;
        }
        const stdfs::path archive = sidecar.parent_path() / old->archive.file;
        const Manifest* done = vault.m_catalog.find(old->model, old->version);
        try {
            if (done == nullptr || done->sequence != old->sequence) {
                migrate_version(vault, sidecar, *old, archive);
                spdlog::info("vault: migrated {}/{}: {} {}", i + 1, sidecars.size(), old->model,
                             old->version.to_string());
            } else { // committed before a crash: only the old files are left to remove
                value_or_throw(fs::remove_durable(archive), "");
                value_or_throw(fs::remove_durable(sidecar), "");
            }
        } catch (const Error& e) {
            if (e.code() != ErrorCode::corrupt) {
                throw Fatal(fmt::format("cannot upgrade the vault {} ({} {}): {}; fix this and "
                                        "start modelvaultd again: it resumes where it stopped",
                                        root.string(), old->model, old->version.to_string(),
                                        e.what()));
            }
            spdlog::error("vault: cannot migrate {} {}: {}", old->model, old->version.to_string(),
                          e.what());
            set_aside(root, archive);
            set_aside(root, sidecar);
        }
    }
    for (const auto& archive : archives) {
        if (stdfs::exists(archive)) { // no sidecar: a format-1 commit that never finished
            value_or_throw(fs::remove_durable(archive), "cannot remove an unfinished archive: ");
        }
    }
    value_or_throw(fs::write_file_atomic(root / "vault.json",
                                         vault_marker(format_utc(vault.m_clock.now())),
                                         vault.tmp_dir()),
                   "cannot finish the upgrade: ");
    spdlog::info("vault {}: now format 2", root.string());
}

} // namespace mv::vault
