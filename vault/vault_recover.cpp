// Opening a vault, continued: loading the catalog and recovering from a crash
// (docs/FORMAT.md, "How a version is committed"). Every manifest is read; one that cannot
// be read, is not a regular file, or does not hash to its name is recorded as damaged —
// reported by verify and status, its number kept when its content still tells it. A
// removal that a `removed` history record announced is finished.
#include <map>
#include <sys/stat.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/fs.hpp"
#include "vault/manifest_file.hpp"
#include "vault/vault.hpp"

namespace mv::vault {

namespace {

namespace stdfs = std::filesystem;

} // namespace

void Vault::load_manifests() {
    for (const auto& entry : stdfs::directory_iterator(m_options.root / "manifests")) {
        struct stat st {};
        if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            // A FIFO, symlink or folder where a manifest lies hides a version: report it,
            // never open it (a FIFO would block the start).
            record_damaged(entry.path(),
                           fmt::format("it is {}, not a regular file", fs::file_kind(st.st_mode)),
                           std::nullopt);
            continue;
        }
        load_manifest(entry.path());
    }
}

void Vault::load_manifest(const stdfs::path& file) {
    auto text = fs::read_file(file, k_max_manifest_bytes, false);
    if (!text) {
        record_damaged(file, text.error(), std::nullopt);
        return;
    }
    auto plain = open_manifest_bytes(*text, m_store->sealing());
    auto manifest = plain ? parse_manifest(*plain) : Result<Manifest>(failure(plain.error()));
    const auto id = manifest_id_of_name(file.filename().string());
    if (!id || store::Digest::sha256_of(store::as_bytes(*text)) != *id) {
        record_damaged(file,
                       id ? "its content does not hash to its name (it was changed or damaged)"
                          : "its name is not <64 hex>.json",
                       manifest ? std::optional(*manifest) : std::nullopt);
        return;
    }
    if (!manifest) {
        record_damaged(file, manifest.error(), std::nullopt);
        return;
    }
    if (auto checked = check_format2_manifest(*manifest); !checked) {
        record_damaged(file, checked.error(),
                       manifest->format_version >= 2 ? std::optional(*manifest) : std::nullopt);
        return;
    }
    manifest->object = *id;
    const Manifest* other = m_catalog.find(manifest->model, manifest->version);
    if (other != nullptr && other->sequence == manifest->sequence) {
        // An interrupted retag: the higher revision is the version's manifest now.
        const bool newer = manifest->revision > other->revision;
        const stdfs::path stale = manifest_path(newer ? *other : *manifest);
        spdlog::info("vault: removing {}, replaced by a later revision of {} {}", stale.string(),
                     manifest->model, manifest->version.to_string());
        value_or_throw(fs::remove_durable(stale), "cannot finish an interrupted retag: ");
        if (!newer) {
            return;
        }
    } else if (other != nullptr) {
        record_damaged(file,
                       fmt::format("a second {} {} (sequences {} and {})", manifest->model,
                                   manifest->version.to_string(), other->sequence,
                                   manifest->sequence),
                       *manifest);
        return;
    }
    m_catalog.add(manifest->without_chunks());
}

void Vault::record_damaged(const stdfs::path& file, const std::string& problem,
                           const std::optional<Manifest>& readable) {
    DamagedVersion entry;
    entry.file = file;
    entry.problem = problem;
    if (readable) {
        if (const auto id = ModelId::parse(readable->model)) {
            entry.model = readable->model;
            entry.dir = id->vault_dir();
            entry.version = readable->version;
        }
    }
    spdlog::error("vault: {} is damaged ({}): the version it describes{} is hidden until the "
                  "file is repaired, nothing is collected meanwhile, and its number stays taken "
                  "when it can be read. `modelvaultctl verify --all` and `status` report it; "
                  "docs/FORMAT.md describes the format",
                  file.string(), problem,
                  entry.version ? fmt::format(" ({} {})", entry.model, entry.version->to_string())
                                : std::string());
    m_catalog.add_damaged(std::move(entry));
}

void Vault::load_histories() {
    // Histories belong to the model whose versions share their folder, or whose folder
    // name reads back as a model id (all its versions removed or damaged).
    std::map<stdfs::path, std::string> model_of_dir;
    for (const auto& model : m_catalog.models()) {
        model_of_dir.emplace(history_path(model).parent_path(), model);
    }
    for (const auto& damaged : m_catalog.damaged()) {
        if (!damaged.model.empty()) {
            model_of_dir.emplace(m_options.root / damaged.dir, damaged.model);
        }
    }
    for (auto it = stdfs::recursive_directory_iterator(m_options.root / "models");
         it != stdfs::recursive_directory_iterator(); ++it) {
        if (!stdfs::is_regular_file(it->symlink_status()) ||
            it->path().filename() != k_history_file) {
            continue;
        }
        const stdfs::path file = it->path();
        auto owner = model_of_dir.find(file.parent_path());
        if (owner == model_of_dir.end()) {
            const auto id =
                ModelId::from_vault_dir(file.parent_path().lexically_relative(m_options.root));
            if (!id) {
                spdlog::warn("vault: {} belongs to no model with versions; it is not loaded",
                             file.string());
                continue;
            }
            owner = model_of_dir.emplace(file.parent_path(), id->text()).first;
        }
        auto text = fs::read_file(file, 64u << 20, false);
        if (!text) {
            throw Fatal(fmt::format("vault: cannot read the history {}: {}. Repair the file (one "
                                    "JSON object per line, docs/FORMAT.md) or move it away",
                                    file.string(), text.error()));
        }
        std::vector<std::string> problems;
        auto records = parse_history(*text, problems);
        for (const auto& problem : problems) {
            spdlog::warn("vault: {}: {} (line ignored)", file.string(), problem);
        }
        for (auto& record : records) {
            m_catalog.add_history(owner->second, std::move(record));
        }
    }
}

// A `removed` record is written before the manifest goes (docs/FORMAT.md): when the daemon
// stopped in between, the version is still there although its history says it was
// removed. Finish the removal; doing it again changes nothing.
void Vault::finish_removals() {
    for (const auto& model : m_catalog.models()) {
        for (const auto& record : m_catalog.history(model)) {
            if (record.pointer != Pointer::removed || !record.from) {
                continue;
            }
            const Manifest* manifest = m_catalog.find(model, *record.from);
            if (manifest == nullptr) {
                continue;
            }
            if (record.sequence != 0 && record.sequence != manifest->sequence) {
                spdlog::warn("vault: the history of {} says {} (sequence {}) was removed, but "
                             "the stored {} has sequence {}; it is kept",
                             model, record.from->to_string(), record.sequence,
                             record.from->to_string(), manifest->sequence);
                continue;
            }
            value_or_throw(remove_manifest(*manifest), "cannot finish a removal: ");
            spdlog::info("vault: finished removing {} {}, which its history records as removed "
                         "(the daemon had stopped before it was done)",
                         model, record.from->to_string());
            m_catalog.remove(model, *record.from); // the history is not touched
        }
    }
}

void Vault::remove_orphan_signatures() {
    std::error_code error;
    std::vector<stdfs::path> orphans;
    for (const auto& entry : stdfs::directory_iterator(m_options.root / "signatures", error)) {
        if (!stdfs::exists(m_options.root / "manifests" / entry.path().filename())) {
            orphans.push_back(entry.path());
        }
    }
    for (const auto& orphan : orphans) {
        spdlog::info("vault: removing {}, the signature of a manifest that is gone",
                     orphan.string());
        value_or_throw(fs::remove_durable(orphan), "cannot remove a signature: ");
    }
}

} // namespace mv::vault
