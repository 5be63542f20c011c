// The operations on existing versions: removal, tags, pointers, verification and loading.
// Writing a version is version_writer.cpp, opening vault_open.cpp and vault_recover.cpp,
// questions vault_queries.cpp, collection vault_collect.cpp.
#include "vault/vault.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/escape.hpp"
#include "util/fs.hpp"
#include "vault/manifest_file.hpp"
#include "vault/manifest_signature.hpp"
#include "vault/storage_settings.hpp"

namespace mv::vault {

namespace {

// The model's folder under models/ holds only its history; it is made with the first record.
Result<void> record_history(const std::filesystem::path& file, const HistoryRecord& record) {
    if (auto made = fs::create_directories_durable(file.parent_path()); !made) {
        return made;
    }
    return append_history(file, record);
}

} // namespace

Vault::Vault(VaultOptions options, const Clock& clock, UniqueFd lock)
    : m_options(std::move(options)), m_clock(clock), m_lock(std::move(lock)) {}

Vault::~Vault() = default;

store::CodecSettings Vault::codec_settings() const {
    std::shared_lock lock(m_mutex);
    return codec_settings_for(m_options.compression);
}

void Vault::commit_manifest(Manifest& manifest) {
    value_or_throw(
        write_manifest_file(m_options.root, tmp_dir(), manifest, m_store->sealing(),
                            m_signing.get()),
        fmt::format("cannot commit {} {}: ", manifest.model, manifest.version.to_string()));
    auto summary = manifest.without_chunks();
    {
        std::unique_lock lock(m_mutex);
        m_catalog.add(summary);
    }
    notify([&](const VaultObserver& observer) {
        if (observer.committed) {
            observer.committed(summary);
        }
    });
}

void Vault::remove_version(const std::string& model, const Version& version, std::string reason,
                           long long uid) {
    const std::string why = std::move(reason);
    std::lock_guard revising(m_revision_mutex);
    const auto manifest = find(model, version);
    if (!manifest) {
        throw Error(fmt::format("{} has no version {}", model, version.to_string()),
                    ErrorCode::not_found);
    }
    // The history first: once the version is gone its number must stay taken. A crash
    // right after leaves the version in place and recorded as removed; the next start
    // finishes the removal (vault_recover.cpp), and removing it again before that (the
    // manifest could not be removed) writes no second record.
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
    note_collection_due(); // before the removal: its chunks wait for a collection
    if (std::lock_guard writer(m_history_mutex); !recorded()) {
        HistoryRecord record;
        record.time = std::chrono::time_point_cast<std::chrono::seconds>(m_clock.now());
        record.pointer = Pointer::removed;
        record.from = version;
        record.reason = why;
        record.uid = uid;
        record.sequence = manifest->sequence;
        value_or_throw(
            record_history(history_path(model), record),
            fmt::format("cannot record the removal of {} {}: ", model, version.to_string()));
        std::unique_lock lock(m_mutex);
        m_catalog.add_history(model, std::move(record));
    }
    value_or_throw(remove_manifest(*manifest),
                   fmt::format("cannot remove {} {}: ", model, version.to_string()));
    {
        std::unique_lock lock(m_mutex);
        m_catalog.remove(model, version);
        ++m_removals; // after the catalog forgot it: see collect()
    }
    notify([&](const VaultObserver& observer) {
        if (observer.removed) {
            observer.removed(*manifest, why);
        }
    });
}

Manifest Vault::set_tags(const std::string& model, const Version& version,
                         std::vector<std::string> tags) {
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    return revise(model, version, "retag",
                  [&](Manifest& manifest) { manifest.tags = std::move(tags); });
}

Manifest Vault::add_note(const std::string& model, const Version& version, Note note) {
    return revise(model, version, "add a note to",
                  [&](Manifest& manifest) { manifest.notes.push_back(std::move(note)); });
}

Manifest Vault::attach_metrics(const std::string& model, const Version& version,
                               const nlohmann::json& metrics, std::vector<MetricsFileRef> files,
                               std::string reason) {
    return revise(model, version, "record the metrics of", [&](Manifest& manifest) {
        manifest.metrics.merge_patch(metrics);
        manifest.metrics_files.insert(manifest.metrics_files.end(), files.begin(), files.end());
        manifest.metrics_missing = false;
        manifest.reason = std::move(reason);
    });
}

Manifest Vault::revise(const std::string& model, const Version& version, std::string_view what,
                       const std::function<void(Manifest&)>& change) {
    // Manifests never change: a new one (a higher revision) replaces the old one. A crash
    // in between leaves both; the next open keeps the higher revision (docs/FORMAT.md,
    // "Manifests"). One revision or removal at a time, so none is lost or revived.
    std::lock_guard revising(m_revision_mutex);
    const auto current = find(model, version);
    if (!current) {
        throw Error(fmt::format("{} has no version {}", model, version.to_string()),
                    ErrorCode::not_found);
    }
    Manifest updated = load(*current);
    change(updated);
    ++updated.revision;
    const std::string failed = fmt::format("cannot {} {} {}: ", what, model, version.to_string());
    value_or_throw(write_manifest_file(m_options.root, tmp_dir(), updated, m_store->sealing(),
                                       m_signing.get()),
                   failed);
    if (updated.object != current->object) {
        value_or_throw(remove_manifest(*current), failed);
    }
    auto summary = updated.without_chunks();
    {
        std::unique_lock lock(m_mutex);
        m_catalog.add(summary);
    }
    notify([&](const VaultObserver& observer) {
        if (observer.committed) {
            observer.committed(summary);
        }
    });
    return summary;
}

Result<void> Vault::remove_manifest(const Manifest& manifest) {
    if (auto removed = fs::remove_durable(manifest_path(manifest)); !removed) {
        return removed;
    }
    // The signature after its manifest: a crash in between leaves an orphan, which
    // remove_orphan_signatures() takes at the next open.
    return fs::remove_durable(signature_file(m_options.root, manifest.object));
}

std::string Vault::signature_of(const Manifest& manifest) const {
    if (!m_signing) {
        return {};
    }
    auto text = fs::read_file(signature_file(m_options.root, manifest.object), 64u << 10, false);
    return text ? std::move(*text) : std::string();
}

Manifest Vault::load(const Manifest& manifest) const {
    auto full = read_manifest_file(manifest_path(manifest), m_store->sealing());
    if (!full) {
        throw Error(fmt::format("the manifest of {} {} ({}) cannot be read: {}; run "
                                "`modelvaultctl verify {}`",
                                manifest.model, manifest.version.to_string(),
                                manifest_path(manifest).string(), full.error(), manifest.model),
                    ErrorCode::corrupt);
    }
    return std::move(*full);
}

VerifyResult Vault::verify(const Manifest& manifest, VerifyDepth depth, const std::stop_token& stop,
                           const ProgressFn& progress) const {
    Manifest full;
    try {
        full = load(manifest);
    } catch (const Error& e) {
        return VerifyResult{{e.what()}, 0};
    }
    auto result = verify_version(*m_store, full, depth, stop, progress);
    // An encrypted vault signs every manifest it writes (docs/FORMAT.md "Signatures").
    if (m_signing) {
        if (auto problem = stored_signature_problem(m_options.root, full, m_signing->public_key());
            !problem.empty()) {
            result.problems.push_back(std::move(problem));
        }
    }
    return result;
}

void Vault::set_compression(const config::Compression& compression, bool verify_after_write) {
    {
        std::unique_lock lock(m_mutex);
        m_options.compression = compression;
        m_options.verify_after_write = verify_after_write;
    }
    m_store->set_codec(codec_settings_for(compression), verify_after_write);
    if (const std::string notice = codec_notice(compression); !notice.empty()) {
        spdlog::warn("{}", notice);
    }
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
    value_or_throw(record_history(history_path(model), record),
                   fmt::format("cannot record the move of {} for {}: ", to_string(pointer), model));
    {
        std::unique_lock lock(m_mutex);
        m_catalog.add_history(model, record);
    }
    notify([&](const VaultObserver& observer) {
        if (observer.moved) {
            observer.moved(model, record);
        }
    });
}

std::uint64_t Vault::add_observer(VaultObserver observer) {
    std::lock_guard lock(m_observers_mutex);
    const std::uint64_t handle = m_next_observer++;
    m_observers.emplace(handle, std::move(observer));
    return handle;
}

void Vault::remove_observer(std::uint64_t handle) {
    std::lock_guard lock(m_observers_mutex);
    m_observers.erase(handle);
}

void Vault::notify(const std::function<void(const VaultObserver&)>& call) const {
    std::lock_guard lock(m_observers_mutex);
    for (const auto& [handle, observer] : m_observers) {
        call(observer);
    }
}

} // namespace mv::vault
