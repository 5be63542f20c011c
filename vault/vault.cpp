#include "vault/vault.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/escape.hpp"
#include "util/fs.hpp"
#include "vault/codec.hpp"
#include "vault/io_chunk.hpp"
#include "vault/json_text.hpp"
#include "vault/model_format.hpp"
#include "vault/readme.hpp"
#include "vault/sha256.hpp"

namespace mv::vault {

namespace {

using nlohmann::json;
namespace stdfs = std::filesystem;

} // namespace

Vault::Vault(VaultOptions options, const Clock& clock, UniqueFd lock)
    : m_options(std::move(options)), m_clock(clock), m_lock(std::move(lock)) {}

Vault::~Vault() = default;

WriteResult Vault::write_version(const NewVersion& request, const std::stop_token& stop,
                                 const ProgressFn& progress) {
    const std::string model = request.model.text();
    const auto started = std::chrono::steady_clock::now();
    const SystemTime created =
        std::chrono::time_point_cast<std::chrono::seconds>(request.created.value_or(m_clock.now()));
    config::Compression compression;
    bool verify_after_write = true;
    {
        std::shared_lock lock(m_mutex);
        compression = m_options.compression;
        verify_after_write = m_options.verify_after_write;
    }

    // A draft with the widest values each field can take sizes the manifest's reserve.
    Manifest manifest;
    manifest.model = model;
    manifest.watch = request.model.watch;
    manifest.version = Version{999999999, 999999999, 999999999};
    manifest.sequence = 99999999999999;
    manifest.parent = manifest.version;
    manifest.created = created;
    manifest.trigger = request.trigger;
    manifest.bump = "initial";
    manifest.reason = request.reason;
    manifest.metrics = request.metrics;
    manifest.compat = request.compat;
    manifest.tags = request.tags;
    manifest.note = request.note;
    manifest.host = m_options.host;
    manifest.incomplete = request.incomplete;
    manifest.checkpoint = request.checkpoint;
    manifest.metrics_missing = request.metrics_missing;
    manifest.metrics_files = request.metrics_files;
    manifest.archive = {fmt::format("{}_{}{}", manifest.version.to_string(), format_stamp(created),
                                    archive_extension(compression.codec)),
                        0,
                        "",
                        config::to_string(compression.codec),
                        compression.level,
                        false};
    for (const auto& source : request.files) {
        FileEntry placeholder;
        placeholder.path = source.stored_as;
        placeholder.role = source.role;
        placeholder.size = 99999999999999999;
        placeholder.mtime_ns = std::numeric_limits<std::int64_t>::max();
        placeholder.sha256 = std::string(64, '0');
        placeholder.format = "unknown-format-name";
        manifest.files.push_back(placeholder);
    }
    // The draft already holds the widest values; the margin covers JSON number formatting.
    const std::size_t capacity = json_text(to_json(manifest)).size() + 256;
    if (capacity > k_max_manifest_bytes) {
        throw Error(fmt::format("{}: the manifest of a version with these {} files would take {} "
                                "bytes, more than the {} a manifest may have; exclude files "
                                "from the watch or split the model",
                                model, request.files.size(), format_bytes(capacity),
                                format_bytes(k_max_manifest_bytes)),
                    ErrorCode::invalid_argument);
    }
    manifest.files.clear();

    std::vector<std::string> names;
    for (const auto& source : request.files) {
        names.push_back(source.stored_as);
    }
    ArchiveWriter writer(
        tmp_dir() / fmt::format("write-{}.part", fs::unique_suffix()), compression, capacity,
        verify_after_write ? Verification::in_flight : Verification::none, member_names_for(names));
    std::uint64_t bytes_before = 0;
    const auto add = [&](const SourceFile& source) {
        FileEntry entry = writer.add_file(source, stop, [&](std::uint64_t done) {
            if (progress) {
                progress(bytes_before + done);
            }
        });
        bytes_before += entry.size;
        manifest.files.push_back(std::move(entry));
    };
    for (const auto& source : request.files) {
        if (source.role == FileRole::model) {
            add(source);
        }
    }
    {
        std::shared_lock lock(m_mutex);
        if (const Manifest* same =
                m_catalog.find_identical(model, manifest.files, request.checkpoint)) {
            return WriteResult{false, *same, bytes_before};
        }
        const Manifest* latest = m_catalog.latest(model);
        const auto highest = m_catalog.highest_version(model);
        const Bump bump = request.bump.value_or(Bump::patch);
        if (request.version) {
            if (const auto taken = m_catalog.number_taken(model, *request.version)) {
                throw Error(fmt::format("{} {}: a number names one content for ever; choose "
                                        "another with --version",
                                        model, *taken),
                            ErrorCode::conflict);
            }
            manifest.version = *request.version;
            manifest.bump = highest ? "given" : "initial";
        } else {
            manifest.version = highest ? highest->bumped(bump) : k_first_version;
            manifest.bump = highest ? to_string(bump) : "initial";
        }
        manifest.sequence = m_catalog.highest_sequence(model) + 1;
        manifest.parent = latest ? std::optional<Version>(latest->version) : std::nullopt;
    }
    for (const auto& source : request.files) {
        if (source.role == FileRole::sidecar) {
            add(source);
        }
    }
    for (const auto& file : manifest.files) {
        if (file.format_mismatch) {
            spdlog::warn("{}: {} does not look like its extension says (content: {})", model,
                         escape_name(file.path), file.format);
        }
    }
    manifest.archive.file =
        fmt::format("{}_{}{}", manifest.version.to_string(), format_stamp(created),
                    archive_extension(compression.codec));
    writer.add_text("README.md", render_readme(manifest), created);
    const auto streamed = std::chrono::steady_clock::now();
    const std::uint64_t size = writer.finish(json_text(to_json(manifest)), created);
    const auto synced = std::chrono::steady_clock::now();

    // Read the file back: its SHA-256 for the manifest, and (when verifying) the proof that
    // it holds exactly the bytes verified while writing.
    const ArchiveFacts facts = writer.read_back(stop);
    if (facts.size != size) {
        throw Error(fmt::format("{} {}: the archive has {} bytes, {} were written", model,
                                manifest.version.to_string(), facts.size, size),
                    ErrorCode::corrupt);
    }
    manifest.archive.sha256 = facts.sha256;
    manifest.archive.size = size;
    const auto verified = std::chrono::steady_clock::now();
    const auto ms = [](auto a, auto b) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
    };
    spdlog::debug("{}: streamed in {} ms, finished in {} ms, fsynced and read back in {} ms", model,
                  ms(started, streamed), ms(streamed, synced), ms(synced, verified));

    // Commit: the archive first, the sidecar last; the sidecar makes the version exist.
    const stdfs::path archive = archive_path(manifest);
    value_or_throw(fs::create_directories_durable(archive.parent_path()), "cannot commit: ");
    if (stdfs::exists(archive) || stdfs::exists(sidecar_path(manifest))) {
        throw Error(fmt::format("cannot commit {} {}: {} already exists", model,
                                manifest.version.to_string(), archive.string()),
                    ErrorCode::conflict);
    }
    value_or_throw(fs::rename_durable(writer.path(), archive), "cannot commit: ");
    writer.release();
    if (auto written = fs::write_file_atomic(
            sidecar_path(manifest), json_text(to_json(manifest), 2) + "\n", tmp_dir(), 0640);
        !written) {
        // The rename may have happened with only the folder's fsync failing: then the
        // version exists and its archive must stay.
        if (!stdfs::exists(sidecar_path(manifest))) {
            (void)fs::remove_durable(archive);
            throw Error("cannot commit: " + written.error(), ErrorCode::io);
        }
        spdlog::warn("{} {}: committed, but {}", model, manifest.version.to_string(),
                     written.error());
    }
    {
        std::unique_lock lock(m_mutex);
        m_catalog.add(manifest);
    }
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

std::uint64_t Vault::remove_version(const std::string& model, const Version& version,
                                    std::string reason) {
    const auto manifest = find(model, version);
    if (!manifest) {
        throw Error(fmt::format("{} has no version {}", model, version.to_string()),
                    ErrorCode::not_found);
    }
    // The history first: once the version is gone its number must stay taken. A crash
    // right after leaves the version in place and recorded as removed; the next start
    // finishes the removal (vault_recover.cpp), and removing it again before that (the
    // sidecar could not be removed) writes no second record.
    const auto recorded = [&] {
        std::shared_lock lock(m_mutex);
        for (const auto& record : m_catalog.history(model)) {
            if (record.pointer == Pointer::removed && record.from == version &&
                record.sequence == manifest->sequence) {
                return true;
            }
        }
        return false;
    };
    if (std::lock_guard writer(m_history_mutex); !recorded()) {
        HistoryRecord record;
        record.time = std::chrono::time_point_cast<std::chrono::seconds>(m_clock.now());
        record.pointer = Pointer::removed;
        record.from = version;
        record.reason = std::move(reason);
        record.sequence = manifest->sequence;
        value_or_throw(
            append_history(history_path(model), record),
            fmt::format("cannot record the removal of {} {}: ", model, version.to_string()));
        std::unique_lock lock(m_mutex);
        m_catalog.add_history(model, std::move(record));
    }
    // Sidecar first: a crash in between leaves an archive without a sidecar, which the
    // next start removes — never a version whose archive is missing.
    value_or_throw(fs::remove_durable(sidecar_path(*manifest)),
                   fmt::format("cannot remove {} {}: ", model, version.to_string()));
    {
        std::unique_lock lock(m_mutex);
        m_catalog.remove(model, version);
    }
    if (auto removed = fs::remove_durable(archive_path(*manifest)); !removed) {
        spdlog::warn("{} {} removed, but its archive stays until the next start: {}", model,
                     version.to_string(), removed.error());
    }
    return manifest->archive.size;
}

Manifest Vault::set_tags(const std::string& model, const Version& version,
                         std::vector<std::string> tags) {
    auto manifest = find(model, version);
    if (!manifest) {
        throw Error(fmt::format("{} has no version {}", model, version.to_string()),
                    ErrorCode::not_found);
    }
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    manifest->tags = std::move(tags);
    value_or_throw(fs::write_file_atomic(sidecar_path(*manifest),
                                         json_text(to_json(*manifest), 2) + "\n", tmp_dir(), 0640),
                   fmt::format("cannot retag {} {}: ", model, version.to_string()));
    std::unique_lock lock(m_mutex);
    m_catalog.add(*manifest);
    return *manifest;
}

Manifest Vault::attach_metrics(const std::string& model, const Version& version,
                               const nlohmann::json& metrics, std::vector<MetricsFileRef> files) {
    auto manifest = find(model, version);
    if (!manifest) {
        throw Error(fmt::format("{} has no version {}", model, version.to_string()),
                    ErrorCode::not_found);
    }
    manifest->metrics.merge_patch(metrics);
    manifest->metrics_files.insert(manifest->metrics_files.end(), files.begin(), files.end());
    manifest->metrics_missing = false;
    value_or_throw(fs::write_file_atomic(sidecar_path(*manifest),
                                         json_text(to_json(*manifest), 2) + "\n", tmp_dir(), 0640),
                   fmt::format("cannot record the metrics of {} {}: ", model, version.to_string()));
    std::unique_lock lock(m_mutex);
    m_catalog.add(*manifest);
    return *manifest;
}

VerifyResult Vault::verify(const Manifest& manifest, const std::stop_token& stop,
                           const ProgressFn& progress) const {
    VerifyResult result = verify_archive(archive_path(manifest), manifest, stop, progress);
    // The catalog was loaded at start: the sidecar on disk must still be readable, or the
    // version disappears at the next start. (A sidecar removed meanwhile by a prune is
    // not damage.)
    const auto sidecar = sidecar_path(manifest);
    if (std::error_code ignored; !stdfs::exists(stdfs::symlink_status(sidecar, ignored))) {
        return result;
    }
    auto text = fs::read_file(sidecar, k_max_manifest_bytes, false);
    if (auto on_disk = text ? parse_manifest(*text) : Result<Manifest>(failure(text.error()));
        !on_disk) {
        result.problems.push_back(
            fmt::format("the sidecar {} is damaged: {}", sidecar.string(), on_disk.error()));
    }
    return result;
}

void Vault::set_compression(const config::Compression& compression, bool verify_after_write) {
    std::unique_lock lock(m_mutex);
    m_options.compression = compression;
    m_options.verify_after_write = verify_after_write;
}

void Vault::move_pointer(const std::string& model, Pointer pointer, std::optional<Version> to,
                         std::string reason, long long uid) {
    // One writer at a time for pointers: the history's order is the pointers' truth.
    std::lock_guard writer(m_history_mutex);
    HistoryRecord record;
    record.time = std::chrono::time_point_cast<std::chrono::seconds>(m_clock.now());
    record.pointer = pointer;
    record.to = to;
    record.reason = std::move(reason);
    record.uid = uid;
    {
        std::shared_lock lock(m_mutex);
        if (to && m_catalog.find(model, *to) == nullptr) {
            throw Error(fmt::format("{} has no version {}", model, to->to_string()),
                        ErrorCode::not_found);
        }
        record.from = m_catalog.pointer(model, pointer);
    }
    value_or_throw(append_history(history_path(model), record),
                   fmt::format("cannot record the move of {} for {}: ", to_string(pointer), model));
    std::unique_lock lock(m_mutex);
    m_catalog.add_history(model, std::move(record));
}

} // namespace mv::vault
