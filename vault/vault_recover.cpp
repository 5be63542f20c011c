// Opening a vault, continued: recovery after a crash and loading the catalog
// (docs/FORMAT.md, "How a version is committed"). tmp/ is emptied; a removal that a
// `removed` history record announced is finished; an archive without a sidecar (an
// interrupted commit) is removed; a sidecar that cannot be read, or does not belong where
// it lies, is recorded as damaged — reported by verify and status, its number kept.
#include <map>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/fs.hpp"
#include "vault/vault.hpp"

namespace mv::vault {

namespace {

namespace stdfs = std::filesystem;

constexpr std::string_view k_extensions[] = {".json", ".tar.zst", ".tar.gz", ".tar.xz", ".tar"};

// "1.4.2_20261122T083412Z" from "1.4.2_20261122T083412Z.tar.zst" or ".json"; "" for
// names of another form.
std::string version_stem(const std::string& file_name) {
    for (const std::string_view ext : k_extensions) {
        if (file_name.size() > ext.size() && file_name.ends_with(ext)) {
            return file_name.substr(0, file_name.size() - ext.size());
        }
    }
    return {};
}

// The version a sidecar's or archive's file name stands for.
std::optional<Version> version_of_name(const std::string& file_name) {
    const std::string stem = version_stem(file_name);
    return Version::parse(std::string_view(stem).substr(0, stem.find('_')));
}

// What the folder tree below models/ holds: sidecars, archives and histories.
struct Found {
    std::vector<stdfs::path> sidecars;
    std::vector<stdfs::path> archives;
    std::vector<stdfs::path> histories;
    std::vector<std::pair<stdfs::path, std::string>> strange; ///< sidecar names, not files
};

Found scan_models(const stdfs::path& models) {
    Found found;
    for (auto it = stdfs::recursive_directory_iterator(models);
         it != stdfs::recursive_directory_iterator(); ++it) {
        const auto status = it->symlink_status();
        if (stdfs::is_directory(status)) {
            continue;
        }
        const std::string name = it->path().filename().string();
        if (!stdfs::is_regular_file(status)) {
            // A FIFO or a symlink named like a sidecar hides a version: report it. Others
            // (archives) are refused by the code that opens them.
            if (name.ends_with(".json")) {
                found.strange.emplace_back(it->path(), "it is not a regular file");
            }
            continue;
        }
        if (name == k_history_file) {
            found.histories.push_back(it->path());
        } else if (name.ends_with(".json")) {
            found.sidecars.push_back(it->path());
        } else if (!version_stem(name).empty()) {
            found.archives.push_back(it->path());
        }
    }
    return found;
}

} // namespace

void Vault::recover_and_load() {
    const stdfs::path tmp = tmp_dir();
    std::size_t leftovers = 0;
    for (const auto& entry : stdfs::directory_iterator(tmp)) {
        std::error_code ignored;
        stdfs::remove_all(entry.path(), ignored);
        ++leftovers;
    }
    if (leftovers > 0) {
        value_or_throw(fs::sync_directory(tmp));
        spdlog::info("vault: removed {} unfinished write(s) from {} left by an interrupted run",
                     leftovers, tmp.string());
    }
    const Found found = scan_models(m_options.root / "models");
    std::set<stdfs::path> stems_with_sidecar;
    for (const auto& sidecar : found.sidecars) {
        stems_with_sidecar.insert(sidecar.parent_path() /
                                  version_stem(sidecar.filename().string()));
        load_sidecar(sidecar);
    }
    for (const auto& [path, problem] : found.strange) {
        stems_with_sidecar.insert(path.parent_path() / version_stem(path.filename().string()));
        record_damaged(path, problem);
    }
    for (const auto& archive : found.archives) {
        if (stems_with_sidecar.count(archive.parent_path() /
                                     version_stem(archive.filename().string())) == 0) {
            spdlog::warn("vault: removing {}: an archive without a manifest, left by a backup "
                         "that was interrupted before its commit",
                         archive.string());
            value_or_throw(fs::remove_durable(archive));
        }
    }
    load_histories(found.histories);
    finish_removals();
    spdlog::info("vault {}: {} models, {} versions, {}", m_options.root.string(),
                 m_catalog.model_count(), m_catalog.version_count(),
                 format_bytes(m_catalog.stored_bytes()));
}

void Vault::load_sidecar(const stdfs::path& sidecar) {
    auto text = fs::read_file(sidecar, k_max_manifest_bytes, false);
    auto manifest = text ? parse_manifest(*text) : Result<Manifest>(failure(text.error()));
    if (!manifest) {
        record_damaged(sidecar, manifest.error());
        return;
    }
    if (sidecar_path(*manifest) != sidecar) {
        record_damaged(sidecar, fmt::format("it describes {} {}, whose sidecar belongs at {}",
                                            manifest->model, manifest->version.to_string(),
                                            sidecar_path(*manifest).string()));
        return;
    }
    // Nothing read from the vault may name a file outside the model's folder, nor another
    // version's archive.
    if (version_stem(manifest->archive.file) != version_stem(sidecar.filename().string())) {
        record_damaged(sidecar, fmt::format("its archive.file \"{}\" is not the archive beside "
                                            "it ({}.tar.zst or another codec's extension)",
                                            manifest->archive.file,
                                            version_stem(sidecar.filename().string())));
        return;
    }
    m_catalog.add(std::move(*manifest));
}

void Vault::record_damaged(const stdfs::path& sidecar, const std::string& problem) {
    DamagedVersion entry;
    entry.sidecar = sidecar;
    entry.dir = sidecar.parent_path().lexically_relative(m_options.root);
    entry.version = version_of_name(sidecar.filename().string());
    entry.problem = problem;
    // The model is named by its folder's other versions, or by the folder itself.
    for (const auto& model : m_catalog.models()) {
        if (auto id = ModelId::parse(model); id && id->vault_dir() == entry.dir) {
            entry.model = model;
        }
    }
    if (const auto id = ModelId::from_vault_dir(entry.dir); entry.model.empty() && id) {
        entry.model = id->text();
    }
    spdlog::error("vault: {} is damaged ({}): the version it describes is hidden until the file "
                  "is repaired, its number stays taken, and its archive is kept. `modelvaultctl "
                  "verify --all` and `status` report it; docs/FORMAT.md describes the format",
                  sidecar.string(), problem);
    m_catalog.add_damaged(std::move(entry));
}

void Vault::load_histories(const std::vector<stdfs::path>& histories) {
    // Histories belong to the model whose versions share their folder, or whose folder
    // name reads back as a model id (all its versions damaged or removed).
    std::map<stdfs::path, std::string> model_of_dir;
    for (const auto& model : m_catalog.models()) {
        model_of_dir.emplace(history_path(model).parent_path(), model);
    }
    for (const auto& sidecar : m_catalog.damaged()) {
        if (!sidecar.model.empty()) {
            model_of_dir.emplace(m_options.root / sidecar.dir, sidecar.model);
        }
    }
    for (const auto& file : histories) {
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

// A `removed` record is written before the sidecar goes (docs/FORMAT.md): when the daemon
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
            const auto sidecar = sidecar_path(*manifest);
            const auto archive = archive_path(*manifest);
            value_or_throw(fs::remove_durable(sidecar), "cannot finish a removal: ");
            if (auto removed = fs::remove_durable(archive); !removed) {
                spdlog::warn("vault: {}", removed.error());
            }
            spdlog::info("vault: finished removing {} {}, which its history records as removed "
                         "(the daemon had stopped before it was done)",
                         model, record.from->to_string());
            m_catalog.remove(model, *record.from); // the history is not touched
        }
    }
}

} // namespace mv::vault
