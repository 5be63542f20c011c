// Writing a version (docs/FORMAT.md "How a version is committed"), in named steps:
//   1. draft the manifest from the request (pure);
//   2. store the model files through a write session (their chunks go to temporary packs;
//      chunks the vault already has are only referenced);
//   3. if the model files equal an existing version's, stop: nothing was compressed,
//      since identical files have only known chunks (pure decision, catalog facts);
//   4. number the version (pure decision, catalog facts), store the sidecars;
//   5. commit: packs and their index durable first, then the manifest; from that instant
//      the version exists.
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/write_session.hpp"
#include "util/escape.hpp"
#include "vault/ingest.hpp"
#include "vault/manifest_file.hpp"
#include "vault/storage_settings.hpp"
#include "vault/vault.hpp"

namespace mv::vault {

namespace {

Manifest draft_manifest(const NewVersion& request, SystemTime created, const std::string& host,
                        const config::Compression& compression) {
    Manifest manifest;
    manifest.model = request.model.text();
    manifest.watch = request.model.watch;
    manifest.created = created;
    manifest.trigger = request.trigger;
    manifest.reason = request.reason;
    manifest.metrics = request.metrics;
    manifest.compat = request.compat;
    manifest.params = request.params;
    manifest.tags = request.tags;
    manifest.note = request.note;
    manifest.host = host;
    manifest.incomplete = request.incomplete;
    manifest.checkpoint = request.checkpoint;
    manifest.metrics_missing = request.metrics_missing;
    manifest.metrics_files = request.metrics_files;
    manifest.storage.codec = storage_codec_name(compression);
    manifest.storage.level = codec_settings_for(compression).level;
    manifest.storage.byte_grouping = compression.byte_grouping;
    return manifest;
}

// Files are told apart by role and path: one twice would be stored twice.
void check_unique(const std::vector<SourceFile>& files) {
    std::set<std::pair<FileRole, std::string>> seen;
    for (const auto& file : files) {
        if (!seen.emplace(file.role, file.stored_as).second) {
            FileEntry entry;
            entry.path = file.stored_as;
            entry.role = file.role;
            throw Error(
                fmt::format("{} would be stored twice in one version", escape_name(entry.member())),
                ErrorCode::invalid_argument);
        }
    }
}

struct Numbering {
    Version version;
    std::string bump;
    std::uint64_t sequence = 0;
    std::optional<Version> parent;
};

/// The new version's number: the one given (imports), else the highest the model ever
/// had, bumped. Throws Error(conflict) when a given number is or was taken.
Numbering number_version(const NewVersion& request, const Catalog& catalog,
                         const std::string& model) {
    Numbering n;
    const auto highest = catalog.highest_version(model);
    const Manifest* latest = catalog.latest(model);
    const Bump bump = request.bump.value_or(Bump::patch);
    if (request.version) {
        if (const auto taken = catalog.number_taken(model, *request.version)) {
            throw Error(fmt::format("{} {}: a number names one content for ever; choose another "
                                    "with --version",
                                    model, *taken),
                        ErrorCode::conflict);
        }
        n.version = *request.version;
        n.bump = highest ? "given" : "initial";
    } else {
        n.version = highest ? highest->bumped(bump) : k_first_version;
        n.bump = highest ? to_string(bump) : "initial";
    }
    n.sequence = catalog.highest_sequence(model) + 1;
    n.parent = latest ? std::optional<Version>(latest->version) : std::nullopt;
    return n;
}

// A manifest is bounded (docs/PROTOCOL.md, "Limits"): refuse before committing anything.
void check_manifest_size(const Manifest& manifest) {
    const std::size_t size = manifest_text(manifest).size();
    if (size > k_max_manifest_bytes) {
        throw Error(fmt::format("{}: the manifest of a version with these {} files and their "
                                "chunks would take {}, more than the {} a manifest may have; "
                                "exclude files from the watch or split the model",
                                manifest.model, manifest.files.size(), format_bytes(size),
                                format_bytes(k_max_manifest_bytes)),
                    ErrorCode::invalid_argument);
    }
}

void warn_about_formats(const Manifest& manifest) {
    for (const auto& file : manifest.files) {
        if (file.format_mismatch) {
            spdlog::warn("{}: {} does not look like its extension says (content: {})",
                         manifest.model, escape_name(file.path), file.format);
        }
    }
}

} // namespace

WriteResult Vault::write_version(const NewVersion& request, const std::stop_token& stop,
                                 const ProgressFn& progress) {
    check_unique(request.files);
    config::Compression compression;
    {
        std::shared_lock lock(m_mutex);
        compression = m_options.compression;
    }
    const SystemTime created =
        std::chrono::time_point_cast<std::chrono::seconds>(request.created.value_or(m_clock.now()));
    Manifest manifest = draft_manifest(request, created, m_options.host, compression);
    const std::string& model = manifest.model;

    auto session = m_store->begin_write();
    const store::FileWriteOptions options{chunk_workers(compression)};
    std::uint64_t bytes_before = 0;
    const auto store_files = [&](FileRole role) {
        for (const auto& source : request.files) {
            if (source.role != role) {
                continue;
            }
            FileEntry entry = ingest_file(source, *session, options, stop, [&](std::uint64_t n) {
                if (progress) {
                    progress(bytes_before + n);
                }
            });
            bytes_before += entry.size;
            manifest.files.push_back(std::move(entry));
        }
    };
    store_files(FileRole::model);
    {
        std::shared_lock lock(m_mutex);
        if (const Manifest* same =
                m_catalog.find_identical(model, manifest.files, request.checkpoint)) {
            return WriteResult{false, *same, bytes_before};
        }
        const Numbering n = number_version(request, m_catalog, model);
        manifest.version = n.version;
        manifest.bump = n.bump;
        manifest.sequence = n.sequence;
        manifest.parent = n.parent;
    }
    store_files(FileRole::sidecar);
    warn_about_formats(manifest);
    check_manifest_size(manifest);
    manifest.storage.encrypted = m_store->sealing().enabled();
    manifest.storage.chunk_names = std::string(m_store->namer().scheme());
    manifest.storage.new_chunks = session->new_chunks();
    manifest.storage.new_bytes = session->commit();
    try {
        commit_manifest(manifest);
    } catch (const Error&) {
        // The packs just published hold chunks no version references (a full disk fails
        // the manifest's write): the next prune collects them (docs/FORMAT.md
        // "Collection"). The mark is an empty file: it needs no data block.
        if (manifest.storage.new_bytes > 0) {
            try {
                note_collection_due();
            } catch (const Error& e) {
                spdlog::warn("vault: {}", e.what());
            }
        }
        throw;
    }
    session->finish();
    if (request.make_best) {
        try {
            move_pointer(model, Pointer::best, manifest.version, request.best_reason, -1);
        } catch (const Error& e) {
            // The version is safe; only the pointer did not move.
            spdlog::error("{} {}: committed, but `best` could not be moved to it: {}", model,
                          manifest.version.to_string(), e.what());
        }
    }
    return WriteResult{true, std::move(manifest), bytes_before};
}

} // namespace mv::vault
